// The shared plumbing of test/helpers/fake-telegram.ts and fake-slack.ts (kept here, beside
// the channel suites that depend on it).
import { request } from 'undici';
import { describe, expect, it, vi } from 'vitest';
import { createCallLog, createFailureQueue, listenLoopback, readBody } from '../helpers/fake-api-server.js';

describe('fake API server plumbing', () => {
  it('serves the handler on 127.0.0.1 and reads the whole body', async () => {
    const server = await listenLoopback(async (req, res) => {
      const body = await readBody(req);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${body.length}: ${body.toString('utf8')}`);
    });
    try {
      expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await request(`${server.origin}/x`, { method: 'POST', body: 'hello' });
      expect(await res.body.text()).toBe('got 5: hello');
    } finally {
      await server.close();
    }
  });

  it('waitFor wakes on record and times out with the counts', async () => {
    // The clock never moves unless the test moves it: resolving without that proves the wake-up.
    vi.useFakeTimers();
    try {
      const log = createCallLog<{ method: string; n: number }>();
      const waiting = log.waitFor('send', 2, 2000);
      log.record({ method: 'send', n: 1 });
      log.record({ method: 'other', n: 2 });
      await Promise.resolve();
      log.record({ method: 'send', n: 3 });
      expect((await waiting).map((c) => c.n)).toEqual([1, 3]);
      const late = expect(log.waitFor('send', 3, 30)).rejects.toThrow('timed out waiting for 3 send call(s); got 2');
      await vi.advanceTimersByTimeAsync(30);
      await late;
    } finally {
      vi.useRealTimers();
    }
  });

  it('hands out scripted failures in order, each once', () => {
    const q = createFailureQueue<string>();
    q.add('m', 'a', 2);
    q.add('m', 'b', 1);
    expect([q.next('m'), q.next('m'), q.next('m'), q.next('m'), q.next('other')]).toEqual(['a', 'a', 'b', undefined, undefined]);
  });
});
