/**
 * `switchboard test` on a `stream: true` integration: the stream summary (time to first
 * token, deltas, total), the text shown before a failure, and diagnoses that name the
 * first-token and idle deadlines.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIntegrationTest } from '../../runtime/cli/test-report.js';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import { keepAlive, sseEvent, startSse } from '../helpers/fake-sse.js';
import { FAKE_OPENAI_KEY, startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';

let backend: FakeServer;
let openai: FakeOpenAI;
const routes: Record<string, (res: ServerResponse) => void> = {
  '/words': (res) => {
    startSse(res);
    for (const w of ['Hello ', 'from ', 'the ', 'stream']) sseEvent(res, { delta: w });
    sseEvent(res, { done: true });
    res.end();
  },
  '/silent': (res) => {
    startSse(res);
    keepAlive(res, 40);
  },
  '/stall': (res) => {
    startSse(res);
    sseEvent(res, { delta: 'Half ' });
    keepAlive(res, 40);
  },
  '/cut': (res) => {
    startSse(res);
    sseEvent(res, { delta: 'Half ' });
    res.end();
  },
  '/json': (res) => sendJson(res, 200, { content: 'plain' }),
};

beforeAll(async () => {
  openai = await startFakeOpenAI();
  backend = await startFakeServer((req, res) => (routes[req.path] ?? ((r: ServerResponse) => sendJson(r, 404, {})))(res));
});
afterAll(async () => {
  await backend.close();
  await openai.close();
});

function custom(path: string, over: Partial<ResolvedIntegration> = {}): ResolvedIntegration {
  return {
    name: 'my-stream',
    type: 'custom',
    url: `${backend.origin}${path}`,
    headers: {},
    timeoutMs: 10_000,
    stream: true,
    signingSecrets: [],
    source: { file: 'integrations/stream.yaml', line: 1 },
    ...over,
  };
}
const base = { message: 'ping', allowPrivateNetwork: true, secrets: [] as string[] };

describe('runIntegrationTest with stream: true', () => {
  it('shows time to first token, the number of deltas, the total and the assembled text', async () => {
    const { ok, report } = await runIntegrationTest(custom('/words'), base);
    expect(ok).toBe(true);
    expect(report).toMatch(/ {2}Stream: {2}first token after \d+ ms, 4 deltas, \d+ ms in total\n/);
    expect(report).toContain('  Reply:\n    Hello from the stream\n');
    expect(report).toContain('Accept: text/event-stream, application/json');
    expect(report).toContain('"stream": true');
  });

  it('says when the backend answered plain JSON', async () => {
    const { ok, report } = await runIntegrationTest(custom('/json'), base);
    expect(ok).toBe(true);
    expect(report).toContain('  Stream:  no (the backend answered plain JSON)\n');
  });

  it('diagnoses a first-token timeout', async () => {
    const { ok, report } = await runIntegrationTest(custom('/silent', { firstTokenTimeoutMs: 300 }), base);
    expect(ok).toBe(false);
    expect(report).toContain('Result: FAILED (first_token_timeout)');
    expect(report).toContain('Diagnosis: First-token timeout');
    expect(report).toContain('firstTokenTimeout (now 300 ms)');
    expect(report).toContain('  Stream:  no text, 0 deltas,');
  });

  it('diagnoses an idle timeout and shows the text before it', async () => {
    const { ok, report } = await runIntegrationTest(custom('/stall', { idleTimeoutMs: 300 }), base);
    expect(ok).toBe(false);
    expect(report).toContain('Result: FAILED (idle_timeout)');
    expect(report).toContain('Diagnosis: Idle timeout');
    expect(report).toContain('idleTimeout (now 300 ms)');
    expect(report).toContain('  Text before the failure:\n    Half \n');
  });

  it('diagnoses an interrupted stream', async () => {
    const { ok, report } = await runIntegrationTest(custom('/cut'), base);
    expect(ok).toBe(false);
    expect(report).toContain('Result: FAILED (interrupted)');
    expect(report).toContain('Diagnosis: Stream interrupted');
  });

  it('tells to set stream: true when a non-streaming integration gets a stream', async () => {
    const { ok, report } = await runIntegrationTest(custom('/words', { stream: false }), base);
    expect(ok).toBe(false);
    expect(report).toContain('(Content-Type: text/event-stream)');
    expect(report).toContain('set stream: true on the integration');
    expect(report).not.toContain('  Stream:');
  });

  it('streams an OpenAI integration', async () => {
    const i: ResolvedIntegration = {
      name: 'gpt',
      type: 'openai',
      url: openai.url,
      headers: { Authorization: `Bearer ${FAKE_OPENAI_KEY}` },
      timeoutMs: 10_000,
      stream: true,
      model: 'gpt-4o-mini',
      signingSecrets: [],
      source: { file: 'integrations/gpt.yaml', line: 1 },
    };
    const { ok, report } = await runIntegrationTest(i, base);
    expect(ok).toBe(true);
    expect(report).toMatch(/Stream: {2}first token after \d+ ms, \d+ deltas/);
    expect(report).not.toContain(FAKE_OPENAI_KEY);
  });
});
