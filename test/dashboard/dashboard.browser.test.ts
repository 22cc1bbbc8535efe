/**
 * The dashboard in a real browser: Debian's headless Chromium driven by playwright-core
 * (no browser download) loads /dashboard with Basic auth from a listening runtime that has
 * traffic on two arms, waits for the charts, checks the shares and the sample-ratio flag
 * of a skewed split, uses the test-integration form, and sees no console errors or failed
 * requests. A screenshot goes to test/.output/ (git-ignored).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/runtime.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { chat, configDir, runtimeFor } from '../e2e/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'browser-admin-token-51d0';
const API_KEY = 'browser-backend-key-77aa';
const OUTPUT = join(import.meta.dirname, '..', '.output');

const integrations = (hook: FakeServer) => `apiVersion: switchboard/v1
kind: Integration
name: gpt-arm
url: ${hook.origin}/gpt
headers:
  Authorization: Bearer \${API_KEY}
---
apiVersion: switchboard/v1
kind: Integration
name: claude-arm
url: ${hook.origin}/claude
`;
const bot = (name: string, a: number, b: number) => `apiVersion: switchboard/v1
kind: Bot
name: ${name}
displayName: ${name === 'balanced' ? 'Support' : 'Sales (weights changed mid-test)'}
channels:
  http: {}
integrations:
  - name: gpt-arm
    weight: ${a}
  - name: claude-arm
    weight: ${b}
`;

let hook: FakeServer;
let cfg: Awaited<ReturnType<typeof configDir>>;
let runtime: Runtime;
let browser: Browser | undefined;

describe.skipIf(!existsSync(CHROMIUM))(`the dashboard in headless Chromium (${CHROMIUM}; .ci/run installs Debian's chromium)`, () => {
  beforeAll(async () => {
    // claude-arm is slower, so the latency chart has two distinct lines.
    hook = await startFakeServer(async (req, res) => {
      if (req.path === '/claude') await new Promise((r) => setTimeout(r, 30));
      sendJson(res, 200, { content: `answer from ${req.path.slice(1)}` });
    });
    cfg = await configDir({ 'integrations.yaml': integrations(hook), 'balanced.yaml': bot('balanced', 50, 50), 'skewed.yaml': bot('skewed', 80, 20) });
    runtime = await runtimeFor(cfg.dir, { SWITCHBOARD_ADMIN_TOKEN: TOKEN, API_KEY }, { listen: true, port: 0, host: '127.0.0.1' });
    for (let i = 0; i < 80; i++) {
      await chat(runtime, 'balanced', { user: { id: `b-${i}` }, text: `hello ${i}` });
      await chat(runtime, 'skewed', { user: { id: `s-${i}` }, text: `hello ${i}` });
    }
    // The skewed bot's weights change to 50/50 mid-experiment: its recorded 80/20 split no
    // longer matches (the sample-ratio mismatch the dashboard must flag). Then a broken
    // file: the runtime keeps the last good config and the dashboard shows the problem.
    await cfg.write('skewed.yaml', bot('skewed', 50, 50));
    expect((await runtime.config.reload()).outcome).toBe('ok');
    await cfg.write('broken.yaml', 'apiVersion: switchboard/v1\nkind: Bot\nname: broken\nintegrations: []\n');
    expect((await runtime.config.reload()).outcome).toBe('invalid');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.close();
    await hook?.close();
    await cfg?.remove();
  });

  it('shows shares, the SRM flag, charts and the reload problem, and runs a test request', async () => {
    if (!runtime.url || !browser) throw new Error('runtime not listening');
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: TOKEN }, viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      // The first 401 is the Basic challenge the browser answers with the credentials.
      if (r.status() >= 400 && r.status() !== 401) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });

    const res = await page.goto(`${runtime.url}/dashboard?refresh=2`);
    expect(res?.status()).toBe(200);
    for (const b of ['balanced', 'skewed']) {
      for (const chart of ['requests', 'latency']) await page.waitForSelector(`[data-bot="${b}"] [data-chart="${chart}"][data-ready="true"] canvas`, { timeout: 15_000 });
    }

    // The shares shown are the runtime's own numbers.
    for (const b of ['balanced', 'skewed']) {
      const stats = (await (await fetch(`${runtime.url}/bots/${b}/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { integrations: Array<{ name: string; observedShare: number; expectedShare: number }>; srm: { mismatch: boolean; checked: boolean } };
      for (const i of stats.integrations) {
        const row = page.locator(`[data-bot="${b}"] tr[data-integration="${i.name}"]`);
        expect(Number(await row.getAttribute('data-observed-share'))).toBeCloseTo(i.observedShare, 10);
        expect(await row.locator('.observed').textContent()).toBe(`${(i.observedShare * 100).toFixed(1)} %`);
        expect(await row.locator('.expected').textContent()).toBe(`${(i.expectedShare * 100).toFixed(1)} %`);
      }
      const flag = await page.locator(`[data-bot="${b}"] [data-srm]`).getAttribute('data-srm');
      expect(flag, b).toBe(stats.srm.mismatch ? 'mismatch' : stats.srm.checked ? 'ok' : 'unchecked');
    }
    expect(await page.locator('[data-bot="skewed"] [data-srm]').getAttribute('data-srm')).toBe('mismatch');
    expect(await page.locator('[data-bot="balanced"] [data-srm]').getAttribute('data-srm')).toBe('ok');
    const skewedGpt = Number(await page.locator('[data-bot="skewed"] tr[data-integration="gpt-arm"]').getAttribute('data-observed-share'));
    expect(skewedGpt).toBeGreaterThan(0.65);

    // The charts count every attempt of the traffic above.
    expect(Number(await page.locator('[data-bot="balanced"] [data-chart="requests"]').getAttribute('data-total'))).toBe(80);
    expect(Number(await page.locator('[data-bot="balanced"] [data-chart="requests"]').getAttribute('data-points'))).toBe(1440);

    // Config: revision and the failed reload's located problem.
    expect(await page.locator('#revision').textContent()).toContain(runtime.config.current().revision);
    await expect.poll(() => page.locator('#reload-problem').isVisible()).toBe(true);
    expect(await page.locator('#reload-problems').textContent()).toContain('broken.yaml');

    // Auto-refresh: the page redraws without a reload.
    const renders = Number(await page.locator('body').getAttribute('data-renders'));
    // (The page's CSP forbids string evaluation, so poll the attribute from outside.)
    await expect.poll(async () => Number(await page.locator('body').getAttribute('data-renders')), { timeout: 15_000 }).toBeGreaterThan(renders);

    // Test an integration from the form.
    await page.selectOption('#test-integration', 'gpt-arm');
    await page.fill('#test-message', 'ping from the browser');
    await page.click('#test-send');
    await page.waitForSelector('#test-summary[data-ok="true"]', { timeout: 15_000 });
    expect(await page.locator('#test-summary').textContent()).toMatch(/^OK · status 200 · \d+ ms/);
    const request = (await page.locator('#test-request').textContent()) ?? '';
    expect(request).toContain(`POST ${hook.origin}/gpt`);
    expect(request).toContain('Authorization: Bearer [redacted]');
    expect(request).not.toContain(API_KEY);
    expect(await page.locator('#test-reply').textContent()).toBe('answer from gpt');

    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
