/**
 * A canary secret planted in env-resolved config (a header value and a signing secret) never
 * appears in logs, responses, errors, /config or `switchboard test` output, even when the
 * webhook echoes the request headers back in its error body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runTest } from '../../runtime/cli/test.js';
import type { Runtime } from '../../runtime/runtime.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { captureLogs, chat, configDir, runtimeFor } from './helpers.js';

const CANARY = 'canary-7f3a9c1e5b2d4f60';
const SIGNING = 'whsec_Y2FuYXJ5LXNpZ25pbmctc2VjcmV0LTEyMzQ1Njc4';

let hook: FakeServer;
let cfg: Awaited<ReturnType<typeof configDir>>;
let runtime: Runtime;
const logs = captureLogs('trace');

beforeAll(async () => {
  // The webhook leaks everything it got back into its error body and a header.
  hook = await startFakeServer((req, res) => sendJson(res, 401, { error: { message: `bad key ${String(req.headers.authorization)}`, headers: req.headers } }, { 'x-echo': String(req.headers.authorization) }));
  cfg = await configDir({
    'bot.yaml': `apiVersion: switchboard/v1
kind: Integration
name: leaky
url: ${'${HOOK_URL}'}?key=\${URL_KEY}
headers:
  Authorization: Bearer \${API_KEY}
signingSecret: \${SIGNING_SECRET}
timeout: 2s
---
apiVersion: switchboard/v1
kind: Bot
name: canary
channels:
  http:
    token: \${HTTP_TOKEN}
integrations:
  - name: leaky
`,
  });
  const env = { URL_KEY: `${CANARY}-url`, API_KEY: CANARY, SIGNING_SECRET: SIGNING, HTTP_TOKEN: `${CANARY}-http`, HOOK_URL: `${hook.origin}/hook` };
  runtime = await runtimeFor(cfg.dir, env, { logger: logs.logger });
});

afterAll(async () => {
  await runtime?.close();
  await hook?.close();
  await cfg?.remove();
});

describe('secret redaction', () => {
  it('never shows the canary in responses, logs, /config, metrics or switchboard test', async () => {
    const bodies: string[] = [];
    const res = await chat(runtime, 'canary', { user: { id: 'u1' }, text: 'hi' }, { authorization: `Bearer ${CANARY}-http` });
    expect(res.statusCode).toBe(200);
    expect(res.json().error.code).toBe('SWB_ERR_WEBHOOK_HTTP_STATUS');
    bodies.push(res.body, JSON.stringify(res.headers));
    // the webhook did get the real secret (so the test would notice if redaction broke delivery)
    expect(hook.requests[0]!.headers.authorization).toBe(`Bearer ${CANARY}`);
    const wrong = await chat(runtime, 'canary', { user: { id: 'u1' }, text: 'hi' }, { authorization: `Bearer ${CANARY}-wrong` });
    expect(wrong.statusCode).toBe(401);
    bodies.push(wrong.body);
    for (const url of ['/config', '/metrics', '/readyz', '/bots/canary/stats']) bodies.push((await runtime.app.inject(url)).body);

    const out: string[] = [];
    const code = await runTest(['leaky', '--config', cfg.dir, '--allow-private-network'], {
      stdout: (s) => out.push(s),
      stderr: (s) => out.push(s),
      env: { URL_KEY: `${CANARY}-url`, API_KEY: CANARY, SIGNING_SECRET: SIGNING, HTTP_TOKEN: 'x-http-token', HOOK_URL: `${hook.origin}/hook` },
      cwd: process.cwd(),
    });
    expect(code).toBe(1);
    const report = out.join('');
    expect(report).toContain('401');
    expect(report).toContain('Authorization');

    const everything = [...bodies, report, logs.text()].join('\n');
    expect(logs.text()).toContain('webhook attempt failed');
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain(SIGNING);
    expect(everything).not.toContain(SIGNING.slice('whsec_'.length));
  });
});
