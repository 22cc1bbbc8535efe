/**
 * `switchboard serve` as a user runs it: the built binary. Invalid config at start → exit 1
 * with located problems; SIGTERM finishes the message in flight, then exits 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { configDir, startServe as start, waitFor } from './helpers.js';


let slow: FakeServer;
/** The slow webhook answers only once the test opens this gate. */
let openGate: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
beforeAll(async () => {
  slow = await startFakeServer(async (_req, res) => {
    await gate;
    sendJson(res, 200, { content: 'finished' });
  });
});
afterAll(async () => {
  await slow.close();
});

describe('switchboard serve (built binary)', () => {
  it('exits 1 with located problems when the config is invalid at start', async () => {
    const cfg = await configDir({ 'bad.yaml': 'apiVersion: switchboard/v1\nkind: Bot\nname: Bad_Name\nchannels: {}\nintegrations: []\n' });
    const p = start(['--config', cfg.dir, '--port', '0']);
    expect(await p.exited).toBe(1);
    expect(p.out()).toMatch(/bad\.yaml:3:7: error: .*\(/);
    expect(p.err()).toContain('not starting');
    await cfg.remove();
  });

  it('exits 1 naming a missing env variable, and 2 on an unknown flag', async () => {
    const cfg = await configDir({ 'i.yaml': 'apiVersion: switchboard/v1\nkind: Integration\nname: x\nurl: https://example.com/hook\nheaders:\n  Authorization: Bearer ${MISSING_KEY}\n' });
    const p = start(['--config', cfg.dir, '--port', '0']);
    expect(await p.exited).toBe(1);
    expect(p.out()).toContain('MISSING_KEY');
    expect(p.out()).toMatch(/i\.yaml:6:\d+/);
    const q = start(['--bogus']);
    expect(await q.exited).toBe(2);
    await cfg.remove();
  });

  it('finishes the message in flight on SIGTERM, then exits 0', async () => {
    const cfg = await configDir({
      'b.yaml': `apiVersion: switchboard/v1\nkind: Integration\nname: slow\nurl: ${slow.origin}/hook\n---\napiVersion: switchboard/v1\nkind: Bot\nname: b\nchannels:\n  http: {}\nintegrations:\n  - name: slow\n`,
    });
    gate = new Promise<void>((resolve) => (openGate = resolve));
    const p = start(['--config', cfg.dir, '--port', '0', '--allow-private-network']);
    const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(p.out())?.[1], 10_000, 'the listening URL in the log');
    const inFlight = fetch(`${url}/channels/http/b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: 'u' }, text: 'hi' }) });
    // The message is in flight once the webhook holds it.
    await waitFor(() => slow.requests.length === 1, 10_000, 'the webhook to receive the message');
    p.child.kill('SIGTERM');
    await waitFor(() => p.out().includes('shutting down'), 10_000, 'the shutdown to begin');
    openGate();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ content: 'finished', integration: 'slow' });
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('shutting down');
    await cfg.remove();
  });
});
