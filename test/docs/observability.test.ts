/**
 * docs/observability.md's metric table is exactly what /metrics exposes after traffic
 * (names and types), the labels seen on samples are the documented ones and never a user or
 * chat id, and the two info metrics carry the version and the served revision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../runtime/core/version.js';
import type { Runtime } from '../../runtime/runtime.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { chat, configDir, runtimeFor } from '../e2e/helpers.js';
import { documentedMetrics } from '../helpers/observability-docs.js';

let hook: FakeServer;
let cfg: Awaited<ReturnType<typeof configDir>>;
let runtime: Runtime;

beforeAll(async () => {
  hook = await startFakeServer((req, res) => (req.path === '/down' ? sendJson(res, 500, {}) : sendJson(res, 200, { content: 'ok' })));
  cfg = await configDir({
    'all.yaml': `apiVersion: switchboard/v1
kind: Integration
name: down
url: ${hook.origin}/down
---
apiVersion: switchboard/v1
kind: Integration
name: up
url: ${hook.origin}/up
---
apiVersion: switchboard/v1
kind: Bot
name: metered
channels:
  http: {}
integrations:
  - name: down
    weight: 50
  - name: up
    weight: 50
    fallback: true
`,
  });
  runtime = await runtimeFor(cfg.dir, {});
  for (let i = 0; i < 30; i++) await chat(runtime, 'metered', { user: { id: `secret-user-${i}` }, conversation_id: `chat-${i}`, text: 'hi' });
});
afterAll(async () => {
  await runtime?.close();
  await hook?.close();
  await cfg?.remove();
});

describe('docs/observability.md metrics table', () => {
  it('equals what /metrics exposes', async () => {
    const text = (await runtime.app.inject('/metrics')).body;
    const exposed = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
    const documented = documentedMetrics();
    expect(documented.size).toBeGreaterThan(20);
    expect([...exposed.keys()].sort()).toEqual([...documented.keys()].sort());
    for (const [name, type] of exposed) expect(documented.get(name)?.type, name).toBe(type);

    // Labels on samples are documented ones; no user or chat id anywhere.
    for (const m of text.matchAll(/^([a-z0-9_]+?)(?:_bucket|_sum|_count)?\{([^}]*)\} /gm)) {
      const name = documented.has(m[1] as string) ? (m[1] as string) : (m[0].split('{')[0] as string);
      const doc = documented.get(name) ?? documented.get(name.replace(/_(bucket|sum|count)$/, ''));
      const labels = [...(m[2] as string).matchAll(/([a-z_]+)="/g)].map((l) => l[1] as string).filter((l) => l !== 'le');
      for (const l of labels) expect(doc?.labels, `${name}{${l}}`).toContain(l);
    }
    expect(text).not.toContain('secret-user-');
    expect(text).not.toContain('chat-1');
    expect(text).toContain('switchboard_webhook_attempts_total{bot="metered",integration="up",role="fallback",outcome="ok"}');
  });

  it('has the info metrics: the version, and the served revision that follows a reload', async () => {
    const before = runtime.config.current().revision;
    let text = (await runtime.app.inject('/metrics')).body;
    expect(text).toContain(`switchboard_build_info{version="${VERSION}"} 1`);
    expect(text).toContain(`switchboard_config_info{revision="${before}"} 1`);
    await cfg.write('extra.yaml', 'apiVersion: switchboard/v1\nkind: Integration\nname: extra\ntype: echo\n');
    expect((await runtime.config.reload()).outcome).toBe('ok');
    const after = runtime.config.current().revision;
    expect(after).not.toBe(before);
    text = (await runtime.app.inject('/metrics')).body;
    expect(text).toContain(`switchboard_config_info{revision="${after}"} 1`);
    expect(text).not.toContain(`revision="${before}"`);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toContain('switchboard_process_');
  });

  it('the healthz route reports the version', async () => {
    expect((await runtime.app.inject('/healthz')).json()).toEqual({ status: 'ok', version: VERSION });
  });
});
