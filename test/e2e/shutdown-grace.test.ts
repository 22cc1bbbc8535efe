/**
 * The bounded stop of `switchboard serve` (the built binary): SIGTERM drains accepted work for
 * at most SWITCHBOARD_SHUTDOWN_GRACE, a second signal exits at once, and an invalid grace
 * stops the start naming the variable. `drainWithin` itself runs on fake timers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { shutdownGraceFromEnv } from '../../runtime/delivery/delivery-env.js';
import { drainWithin } from '../../runtime/queue/job-queue.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { configDir, startServe as start, waitFor } from './helpers.js';


/** A webhook that never answers (until the test ends). */
let stuck: FakeServer;
let release: () => void = () => undefined;
const never = new Promise<void>((r) => (release = r));
beforeAll(async () => {
  stuck = await startFakeServer(async (_req, res) => {
    await never;
    sendJson(res, 200, { content: 'late' });
  });
});
afterAll(async () => {
  release();
  await stuck.close();
});

const botFiles = () => ({
  'b.yaml': `apiVersion: switchboard/v1\nkind: Integration\nname: stuck\nurl: ${stuck.origin}/hook\ntimeout: 5m\n---\napiVersion: switchboard/v1\nkind: Bot\nname: b\nchannels:\n  http: {}\nintegrations:\n  - name: stuck\n`,
});

/** Starts serve, sends `chats` messages that the webhook holds, and waits until it holds them. */
async function holding(env: Record<string, string>, chats: number) {
  const cfg = await configDir(botFiles());
  const p = start(['--config', cfg.dir, '--port', '0', '--allow-private-network'], env);
  const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(p.out())?.[1], 20_000, 'the listening URL in the log');
  const before = stuck.requests.length;
  const requests = Array.from({ length: chats }, (_, i) =>
    fetch(`${url}/channels/http/b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: `u${i}` }, text: 'hi' }) }).catch((e: Error) => e),
  );
  await waitFor(() => stuck.requests.length === before + chats, 20_000, 'the webhook to hold every message');
  return { p, cfg, requests };
}

describe('SWITCHBOARD_SHUTDOWN_GRACE', () => {
  it('bounds the drain: a stuck message does not keep the process alive past the grace', async () => {
    const { p, cfg, requests } = await holding({ SWITCHBOARD_SHUTDOWN_GRACE: '1s' }, 3);
    p.child.kill('SIGTERM');
    // Without the bound the process waits for the webhook's 5 minute timeout.
    const code = await Promise.race([p.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(code).toBe(0);
    expect(p.out()).toContain('shutdown grace over');
    expect(p.out()).toMatch(/"unfinished":3/);
    await Promise.all(requests);
    await cfg.remove();
  }, 60_000);

  it('a second SIGTERM exits at once, without waiting for the drain', async () => {
    const { p, cfg, requests } = await holding({}, 1);
    p.child.kill('SIGTERM');
    await waitFor(() => p.out().includes('shutting down'), 20_000, 'the shutdown to begin');
    p.child.kill('SIGTERM');
    // Well inside the default 25 s grace the process must be gone.
    const code = await Promise.race([p.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(code).toBe(1);
    expect(p.err()).toContain('second SIGTERM, exiting now');
    await Promise.all(requests);
    await cfg.remove();
  }, 60_000);

  it('an invalid value stops the start with exit 1, naming the variable', async () => {
    const cfg = await configDir(botFiles());
    const p = start(['--config', cfg.dir, '--port', '0', '--allow-private-network'], { SWITCHBOARD_SHUTDOWN_GRACE: 'soon' });
    expect(await p.exited).toBe(1);
    expect(p.err()).toContain('SWITCHBOARD_SHUTDOWN_GRACE');
    await cfg.remove();
  });

  it('parses durations and defaults to 25 s', () => {
    expect(shutdownGraceFromEnv({})).toBe(25_000);
    expect(shutdownGraceFromEnv({ SWITCHBOARD_SHUTDOWN_GRACE: '10s' })).toBe(10_000);
    expect(shutdownGraceFromEnv({ SWITCHBOARD_SHUTDOWN_GRACE: '500ms' })).toBe(500);
    expect(shutdownGraceFromEnv({ SWITCHBOARD_SHUTDOWN_GRACE: '30' })).toBe(30_000);
    expect(() => shutdownGraceFromEnv({ SWITCHBOARD_SHUTDOWN_GRACE: '-1s' })).toThrow(/SWITCHBOARD_SHUTDOWN_GRACE/);
  });
});

describe('drainWithin', () => {
  it('resolves true when the drain finishes in time and false when the grace runs out', async () => {
    vi.useFakeTimers();
    try {
      let finish: () => void = () => undefined;
      const slow = drainWithin(new Promise<void>((r) => (finish = r)), 25_000);
      await vi.advanceTimersByTimeAsync(24_999);
      finish();
      expect(await slow).toBe(true);
      const stuckDrain = drainWithin(new Promise<void>(() => undefined), 25_000);
      await vi.advanceTimersByTimeAsync(25_000);
      expect(await stuckDrain).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
