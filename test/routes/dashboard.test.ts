/**
 * The dashboard's routes and the test-integration route through a real runtime: admin auth
 * (Bearer or Basic password, a Basic challenge on 401), the page and its assets (nothing
 * external), the JSON it reads after traffic, and `POST /integrations/:name/test`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/runtime.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { chat, configDir, runtimeFor } from '../e2e/helpers.js';

const TOKEN = 'dash-admin-token-9c1e';
const API_KEY = 'backend-secret-key-4242';
const basic = (password: string, user = 'admin') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let hook: FakeServer;
let cfg: Awaited<ReturnType<typeof configDir>>;
let runtime: Runtime;

beforeAll(async () => {
  hook = await startFakeServer((req, res) => sendJson(res, 200, { content: `got ${String((req.json as { messages: Array<{ content: string }> }).messages.at(-1)?.content)}` }));
  cfg = await configDir({
    'bots.yaml': `apiVersion: switchboard/v1
kind: Integration
name: arm-a
url: ${hook.origin}/a
headers:
  X-Api-Key: \${API_KEY}
---
apiVersion: switchboard/v1
kind: Integration
name: arm-b
url: ${hook.origin}/b
---
apiVersion: switchboard/v1
kind: Integration
name: nowhere
url: http://127.0.0.1:9/nothing-listens-here
timeout: 2s
---
apiVersion: switchboard/v1
kind: Bot
name: split
channels:
  http: {}
integrations:
  - name: arm-a
    weight: 50
  - name: arm-b
    weight: 50
`,
  });
  runtime = await runtimeFor(cfg.dir, { SWITCHBOARD_ADMIN_TOKEN: TOKEN, API_KEY });
  for (let i = 0; i < 40; i++) await chat(runtime, 'split', { user: { id: `user-${i}` }, text: `m${i}` });
});

afterAll(async () => {
  await runtime?.close();
  await hook?.close();
  await cfg?.remove();
});

describe('GET /dashboard', () => {
  it('asks for credentials with a Basic challenge, and accepts the token as Basic password or Bearer', async () => {
    for (const authorization of [undefined, basic('wrong'), 'Bearer wrong']) {
      const res = await runtime.app.inject({ url: '/dashboard', headers: authorization ? { authorization } : {} });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="/);
      expect(res.json().error.code).toBe('SWB_ERR_HTTP_UNAUTHORIZED');
    }
    for (const authorization of [basic(TOKEN), basic(TOKEN, ''), `Bearer ${TOKEN}`]) {
      const res = await runtime.app.inject({ url: '/dashboard', headers: { authorization } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('loads nothing from outside the runtime', async () => {
    const page = (await runtime.app.inject({ url: '/dashboard', headers: { authorization: `Bearer ${TOKEN}` } })).body;
    const refs = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const ref of refs) expect(ref, ref).toMatch(/^(\/dashboard\/assets\/|data:)/);
    for (const ref of refs.filter((r) => r.startsWith('/'))) {
      const res = await runtime.app.inject({ url: ref });
      expect(res.statusCode, ref).toBe(200);
      expect(res.body.length, ref).toBeGreaterThan(100);
    }
    expect((await runtime.app.inject({ url: '/dashboard/assets/uPlot.iife.min.js' })).headers['content-type']).toContain('javascript');
    expect((await runtime.app.inject({ url: '/dashboard/assets/..%2Fpackage.json' })).statusCode).toBe(404);
    expect((await runtime.app.inject({ url: '/dashboard/assets/index.html' })).statusCode).toBe(404);
  });

  it('serves the data the page draws: config, per-bot stats with SRM, a 24 h timeline', async () => {
    expect((await runtime.app.inject({ url: '/dashboard/data' })).statusCode).toBe(401);
    const res = await runtime.app.inject({ url: '/dashboard/data', headers: { authorization: basic(TOKEN) } });
    expect(res.statusCode).toBe(200);
    const data = res.json();
    expect(data.config.revision).toBe(runtime.config.current().revision);
    expect(data.config.files).toEqual(['bots.yaml']);
    expect(data.config.lastReloadError).toBeNull();
    expect(data.integrations.map((i: { name: string }) => i.name).sort()).toEqual(['arm-a', 'arm-b', 'nowhere']);
    const [bot] = data.bots;
    expect(bot.name).toBe('split');
    expect(bot.stats.totals.assignments).toBe(40);
    expect(bot.stats.srm).toMatchObject({ degreesOfFreedom: 1, threshold: 0.001, minAssignmentsPerArm: 8 });
    expect(bot.timeline.minutes).toHaveLength(1440);
    const perArm = bot.timeline.integrations.map((s: { requests: number[] }) => s.requests.reduce((a, b) => a + b, 0));
    expect(perArm.reduce((a: number, b: number) => a + b, 0)).toBe(40);
    expect(JSON.stringify(data)).not.toContain(API_KEY);
    const short = (await runtime.app.inject({ url: '/dashboard/data?minutes=5', headers: { authorization: basic(TOKEN) } })).json();
    expect(short.bots[0].timeline.minutes).toHaveLength(5);
  });

  it('adds the SRM figure to /bots/:bot/stats, and admin routes take Basic auth too', async () => {
    const res = await runtime.app.inject({ url: '/bots/split/stats', headers: { authorization: basic(TOKEN) } });
    expect(res.statusCode).toBe(200);
    expect(res.json().srm).toHaveProperty('pValue');
    expect((await runtime.app.inject({ url: '/metrics', headers: { authorization: basic(TOKEN) } })).statusCode).toBe(200);
  });
});

describe('POST /integrations/:name/test', () => {
  const post = (name: string, body: unknown, authorization = `Bearer ${TOKEN}`) =>
    runtime.app.inject({ method: 'POST', url: `/integrations/${name}/test`, headers: { 'content-type': 'application/json', authorization }, payload: JSON.stringify(body) });

  it('sends one real request and reports it with secrets redacted', async () => {
    const before = hook.requests.length;
    const res = await post('arm-a', { message: 'ping from the dashboard' });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ ok: true, status: 200, reply: { content: 'got ping from the dashboard' }, diagnosis: null, failure: null });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(r.request.url).toBe(`${hook.origin}/a`);
    expect(r.request.headers['X-Api-Key']).toBe('[redacted]');
    expect(r.request.body.metadata.test).toBe(true);
    expect(res.body).not.toContain(API_KEY);
    // The webhook did get the real key.
    expect(hook.requests.slice(before).map((q) => q.headers['x-api-key'])).toEqual([API_KEY]);
  });

  it('reports an unreachable integration with status null and a diagnosis', async () => {
    const r = (await post('nowhere', {})).json();
    expect(r).toMatchObject({ ok: false, status: null, failure: 'unreachable' });
    expect(r.diagnosis.title).toBeTruthy();
  });

  it('answers 404 for an unknown integration, 400 for a bad message, 401 without the token', async () => {
    expect((await post('nope', { message: 'x' })).statusCode).toBe(404);
    expect((await post('nope', { message: 'x' })).json().error.code).toBe('SWB_ERR_HTTP_NOT_FOUND');
    for (const body of [{ message: 42 }, [], { message: 'x'.repeat(9000) }]) {
      const res = await post('arm-a', body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.json().error.code).toBe('SWB_ERR_HTTP_BAD_REQUEST');
    }
    const denied = await post('arm-a', { message: 'x' }, 'Bearer wrong');
    expect(denied.statusCode).toBe(401);
  });
});

describe('without SWITCHBOARD_ADMIN_TOKEN', () => {
  it('leaves the dashboard open, like the other admin routes', async () => {
    const open = await runtimeFor(cfg.dir, { API_KEY });
    try {
      expect((await open.app.inject({ url: '/dashboard' })).statusCode).toBe(200);
      expect((await open.app.inject({ url: '/dashboard/data' })).statusCode).toBe(200);
    } finally {
      await open.close();
    }
  });
});
