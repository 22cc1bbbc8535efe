// The Switchboard dashboard: reads /dashboard/data and redraws every few seconds
// (?refresh=SECONDS to change it). Plain browser JavaScript, no build step; charts by
// uPlot (loaded before this script). Every value from the server is set as text, never
// as HTML.
'use strict';
(() => {
  const params = new URLSearchParams(location.search);
  const REFRESH_MS = Math.max(1, Number(params.get('refresh')) || 10) * 1000;
  const PALETTE = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];
  const $ = (id) => document.getElementById(id);
  const charts = new Map();
  let renders = 0;

  /** Creates an element with attributes (data-*, class, text) and children. */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  const pct = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
  const ms = (x) => (x === null || x === undefined ? '–' : `${x} ms`);
  const pValue = (p) => (p === null ? '–' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
  const colorOf = (i) => PALETTE[i % PALETTE.length];

  function renderConfig(data) {
    const c = data.config;
    $('version').textContent = `v${data.version}`;
    $('updated').textContent = `updated ${new Date(data.generatedAt).toLocaleTimeString()}`;
    $('revision').textContent = c.gitCommit ? `${c.revision} (git ${c.gitCommit.slice(0, 12)})` : c.revision;
    $('loaded-at').textContent = new Date(c.loadedAt).toLocaleString();
    $('store').textContent = data.store ? `${data.store.kind}: ${data.store.state}${data.store.lastError ? ` (${data.store.lastError})` : ''}` : '–';
    $('files').replaceChildren(...c.files.map((f) => el('li', { text: f })));
    const problem = c.lastReloadError;
    $('reload-problem').hidden = !problem;
    if (problem) {
      $('reload-at').textContent = new Date(problem.at).toLocaleString();
      $('reload-problems').replaceChildren(
        ...problem.problems.map((p) => el('li', { text: `${p.file}${p.line ? `:${p.line}` : ''}${p.column ? `:${p.column}` : ''}: ${p.message}${p.rule ? ` (${p.rule})` : ''}` })),
      );
    }
  }

  function srmBadge(srm) {
    if (!srm) return el('span');
    if (!srm.checked) return el('span', { class: 'badge unchecked', 'data-srm': 'unchecked', text: `Sample-ratio check waits for ${srm.minAssignmentsPerArm} assignments per arm` });
    if (srm.mismatch) return el('span', { class: 'badge mismatch', 'data-srm': 'mismatch', text: `Sample-ratio mismatch: p = ${pValue(srm.pValue)} (χ² = ${srm.chiSquare.toFixed(1)})` });
    return el('span', { class: 'badge ok', 'data-srm': 'ok', text: `Split matches the weights: p = ${pValue(srm.pValue)}` });
  }

  function statsTable(stats) {
    const head = el('tr', {}, ...['Integration', 'Weight', 'Expected', 'Observed', 'Assignments', 'Requests', 'Errors', 'Error rate', 'By class', 'Fallbacks used', 'p50', 'p95'].map((h) => el('th', { scope: 'col', text: h })));
    const rows = stats.integrations.map((i) => {
      const byClass = Object.entries(i.errors.byClass).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || '–';
      return el(
        'tr',
        { 'data-integration': i.name, 'data-observed-share': i.observedShare ?? '', 'data-expected-share': i.expectedShare },
        el('td', { text: `${i.name}${i.fallback ? ' (fallback)' : ''}${i.configured ? '' : ' (removed)'}` }),
        el('td', { text: i.weight }),
        el('td', { class: 'expected', text: pct(i.expectedShare) }),
        el('td', { class: 'observed', text: pct(i.observedShare) }),
        el('td', { text: i.assignments }),
        el('td', { text: i.requests }),
        el('td', { text: i.errors.total }),
        el('td', { text: pct(i.errorRate) }),
        el('td', { text: byClass }),
        el('td', { text: i.fallbacksUsed }),
        el('td', { text: ms(i.latencyMs.p50) }),
        el('td', { text: ms(i.latencyMs.p95) }),
      );
    });
    return el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows));
  }

  /** Draws (or updates) one time chart: one series per integration. */
  function drawChart(container, key, timeline, pick, unit, dots) {
    const xs = timeline.minutes;
    const series = timeline.integrations.map((s) => pick(s));
    const data = [xs, ...series];
    const names = timeline.integrations.map((s) => s.name).join('\u0000');
    const width = Math.max(320, container.clientWidth || 480);
    let chart = charts.get(key);
    if (chart && chart.names === names && chart.plot.root.isConnected) {
      chart.plot.setData(data);
      if (Math.abs(chart.plot.width - width) > 4) chart.plot.setSize({ width, height: 220 });
    } else {
      chart?.plot.destroy();
      container.replaceChildren();
      const opts = {
        width,
        height: 220,
        scales: { x: { time: true } },
        series: [{}, ...timeline.integrations.map((s, i) => ({ label: s.name, stroke: colorOf(i), width: 1.5, points: { show: dots, size: 5 }, value: (_u, v) => (v === null || v === undefined ? '–' : `${v}${unit}`) }))],
        axes: [{}, { values: (_u, ticks) => ticks.map((t) => `${t}${unit}`), size: 60 }],
      };
      // eslint-disable-next-line no-undef
      chart = { names, plot: new uPlot(opts, data, container) };
      charts.set(key, chart);
    }
    container.dataset.ready = 'true';
    container.dataset.points = String(xs.length);
    container.dataset.total = String(series.reduce((n, ys) => n + ys.reduce((m, y) => m + (y ?? 0), 0), 0));
  }

  function renderBot(bot, index) {
    const id = `bot-${index}`;
    let card = document.getElementById(id);
    if (!card || card.dataset.bot !== bot.name) {
      card = el('section', { id, class: 'bot', 'data-bot': bot.name });
      card.append(el('div', { class: 'bot-head' }), el('div', { class: 'table' }), el('div', { class: 'charts' }, el('div', { class: 'chart' }, el('h3', { text: 'Requests per minute, by integration (last 24 h)' }), el('div', { class: 'plot', 'data-chart': 'requests' })), el('div', { class: 'chart' }, el('h3', { text: 'Latency p95 per minute, successful attempts (last 24 h)' }), el('div', { class: 'plot', 'data-chart': 'latency' }))));
      const old = document.getElementById(id);
      if (old) old.replaceWith(card);
      else $('bots').append(card);
    }
    const stats = bot.stats;
    const head = card.querySelector('.bot-head');
    const totals = stats ? `${stats.totals.assignments} assignments · ${stats.totals.requests} requests · ${stats.totals.errors} errors · stickiness ${stats.stickiness}` : '';
    head.replaceChildren(el('h2', { text: bot.displayName && bot.displayName !== bot.name ? `${bot.displayName} · ${bot.name}` : bot.name }), el('span', { class: 'muted', text: totals }), stats ? srmBadge(stats.srm) : el('span'));
    const table = card.querySelector('.table');
    if (bot.error) table.replaceChildren(el('p', { class: 'error', text: bot.error }));
    else if (stats) table.replaceChildren(statsTable(stats));
    if (bot.timeline) {
      drawChart(card.querySelector('[data-chart=requests]'), `${bot.name}:requests`, bot.timeline, (s) => s.requests, '', false);
      drawChart(card.querySelector('[data-chart=latency]'), `${bot.name}:latency`, bot.timeline, (s) => s.p95Ms, ' ms', true);
    }
  }

  function renderIntegrations(list) {
    const select = $('test-integration');
    const chosen = select.value;
    const names = list.map((i) => i.name);
    if ([...select.options].map((o) => o.value).join('\u0000') === names.join('\u0000')) return;
    select.replaceChildren(...list.map((i) => el('option', { value: i.name, text: `${i.name} (${i.type})` })));
    if (names.includes(chosen)) select.value = chosen;
  }

  async function refresh() {
    try {
      const res = await fetch('/dashboard/data', { credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) throw new Error(`GET /dashboard/data answered ${res.status}`);
      const data = await res.json();
      renderConfig(data);
      data.bots.forEach(renderBot);
      renderIntegrations(data.integrations);
      $('error').hidden = true;
      renders += 1;
      document.body.dataset.renders = String(renders);
    } catch (err) {
      $('error').hidden = false;
      $('error').textContent = `Could not refresh: ${err.message}`;
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  async function sendTest(event) {
    event.preventDefault();
    const name = $('test-integration').value;
    const button = $('test-send');
    button.disabled = true;
    $('test-summary').textContent = `Sending a test request to ${name}…`;
    $('test-result').hidden = false;
    try {
      const res = await fetch(`/integrations/${encodeURIComponent(name)}/test`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: $('test-message').value }),
      });
      const r = await res.json();
      if (!res.ok) throw new Error(r.error ? r.error.message : `status ${res.status}`);
      $('test-summary').textContent = `${r.ok ? 'OK' : `FAILED (${r.failure})`} · status ${r.status ?? 'no response'} · ${r.latencyMs} ms${r.retried ? ' · retried once' : ''}`;
      $('test-summary').dataset.ok = String(r.ok);
      const req = r.request;
      $('test-request').textContent = req
        ? `${req.method} ${req.url}\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${typeof req.body === 'string' ? req.body : JSON.stringify(req.body, null, 2)}`
        : '(none: this integration answers locally)';
      $('test-reply').textContent = r.reply ? r.reply.content : r.error ?? '';
      const diagnosis = $('test-diagnosis');
      diagnosis.replaceChildren();
      if (r.diagnosis) diagnosis.append(el('h3', { text: `Diagnosis: ${r.diagnosis.title}` }), el('ul', {}, ...r.diagnosis.hints.map((h) => el('li', { text: h }))));
    } catch (err) {
      $('test-summary').textContent = `The test could not run: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  }

  $('test-form').addEventListener('submit', sendTest);
  void refresh();
})();
