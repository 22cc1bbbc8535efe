import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { describe, expect, it, vi } from 'vitest';
import { apiSettings, apiTuning, channelFileOf, downloadOf, memoizeUntilRejected, retryRateLimited, tokenRedactor } from '../../runtime/channels/channel-api.js';

class RateLimited extends Error {
  constructor(readonly retryAfter: number) {
    super('rate limited');
  }
}
const retryAfterOf = (err: unknown): number | undefined => (err instanceof RateLimited ? err.retryAfter : undefined);

/** A callOnce that throws the given errors in turn, then resolves with the attempt number. */
function scripted(errors: unknown[]): { fn: () => Promise<number>; attempts: () => number } {
  let n = 0;
  return {
    fn: async () => {
      n++;
      if (errors.length > 0) throw errors.shift();
      return n;
    },
    attempts: () => n,
  };
}

describe('retryRateLimited', () => {
  it('retries rate-limit errors up to maxRetries times', async () => {
    const s = scripted([new RateLimited(0), new RateLimited(0)]);
    await expect(retryRateLimited(s.fn, { maxRetries: 2, maxRetryAfterSeconds: 30, retryAfterOf })).resolves.toBe(3);
    expect(s.attempts()).toBe(3);
  });

  it('throws the rate-limit error once the retries are spent', async () => {
    const third = new RateLimited(0);
    const s = scripted([new RateLimited(0), new RateLimited(0), third]);
    await expect(retryRateLimited(s.fn, { maxRetries: 2, maxRetryAfterSeconds: 30, retryAfterOf })).rejects.toBe(third);
    expect(s.attempts()).toBe(3);
  });

  it('does not retry a wait longer than the cap', async () => {
    const long = new RateLimited(31);
    const s = scripted([long]);
    await expect(retryRateLimited(s.fn, { maxRetries: 2, maxRetryAfterSeconds: 30, retryAfterOf })).rejects.toBe(long);
    expect(s.attempts()).toBe(1);
  });

  it('does not retry other errors', async () => {
    const other = new Error('boom');
    const s = scripted([other]);
    await expect(retryRateLimited(s.fn, { maxRetries: 2, maxRetryAfterSeconds: 30, retryAfterOf })).rejects.toBe(other);
    expect(s.attempts()).toBe(1);
  });

  it('waits the requested seconds and treats a negative wait as none', async () => {
    const s = scripted([new RateLimited(0.05), new RateLimited(-5)]);
    const waits: Array<{ ms: number; attemptsSoFar: number }> = [];
    const sleep = async (ms: number): Promise<void> => {
      waits.push({ ms, attemptsSoFar: s.attempts() });
    };
    await expect(retryRateLimited(s.fn, { maxRetries: 2, maxRetryAfterSeconds: 30, retryAfterOf, sleep })).resolves.toBe(3);
    expect(waits).toEqual([
      { ms: 50, attemptsSoFar: 1 },
      { ms: 0, attemptsSoFar: 2 },
    ]);
  });

  it('spends the wait on a real timer when no sleep is injected', async () => {
    vi.useFakeTimers();
    try {
      const s = scripted([new RateLimited(2)]);
      const done = vi.fn();
      const result = retryRateLimited(s.fn, { maxRetries: 2, maxRetryAfterSeconds: 30, retryAfterOf }).then(done);
      await vi.advanceTimersByTimeAsync(1999);
      expect(s.attempts()).toBe(1);
      expect(done).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      await result;
      expect(s.attempts()).toBe(2);
      expect(done).toHaveBeenCalledWith(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('memoizeUntilRejected', () => {
  it('loads once per key while the promise holds', async () => {
    const cache = new Map<string, Promise<number>>();
    let loads = 0;
    const load = async (): Promise<number> => ++loads;
    await expect(memoizeUntilRejected(cache, 'a', load)).resolves.toBe(1);
    await expect(memoizeUntilRejected(cache, 'a', load)).resolves.toBe(1);
    await expect(memoizeUntilRejected(cache, 'b', load)).resolves.toBe(2);
    expect(loads).toBe(2);
  });

  it('forgets a rejection so the next caller loads again', async () => {
    const cache = new Map<string, Promise<string>>();
    await expect(memoizeUntilRejected(cache, 'k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.has('k')).toBe(false);
    await expect(memoizeUntilRejected(cache, 'k', async () => 'up')).resolves.toBe('up');
    expect(cache.has('k')).toBe(true);
  });
});

describe('tokenRedactor', () => {
  it('replaces every occurrence of the token', () => {
    expect(tokenRedactor('s3cr3t')('a s3cr3t b s3cr3t')).toBe('a [REDACTED] b [REDACTED]');
  });
  it('leaves text alone for an empty token', () => {
    expect(tokenRedactor('')('abc')).toBe('abc');
  });
});

describe('apiSettings / apiTuning', () => {
  it('applies the defaults and trims trailing slashes', () => {
    expect(apiSettings('https://api.example//', {})).toEqual({ base: 'https://api.example', maxRetries: 2, maxRetryAfterSeconds: 30, timeoutMs: 30_000 });
    expect(apiSettings('http://x', { maxRetries: 0, maxRetryAfterSeconds: 5, timeoutMs: 100 })).toEqual({ base: 'http://x', maxRetries: 0, maxRetryAfterSeconds: 5, timeoutMs: 100 });
  });
  it('copies only the set adapter options', () => {
    expect(apiTuning({})).toStrictEqual({});
    expect(apiTuning({ maxRetries: 0, apiTimeoutMs: 250 })).toStrictEqual({ maxRetries: 0, timeoutMs: 250 });
    expect(apiTuning({ maxRetryAfterSeconds: 7 })).toStrictEqual({ maxRetryAfterSeconds: 7 });
  });
});

describe('downloadOf / channelFileOf', () => {
  const response = (headers: Record<string, string>): Dispatcher.ResponseData => ({ statusCode: 200, headers, body: Readable.from([]) }) as unknown as Dispatcher.ResponseData;

  it('takes the type and a valid length from the headers', () => {
    const res = response({ 'content-type': 'image/png', 'content-length': '12' });
    const d = downloadOf(res);
    expect(d.body).toBe(res.body);
    expect({ contentType: d.contentType, size: d.size }).toEqual({ contentType: 'image/png', size: 12 });
    expect(Object.keys(downloadOf(response({ 'content-length': 'x' })))).toEqual(['body']);
    expect(Object.keys(downloadOf(response({ 'content-length': '-1' })))).toEqual(['body']);
  });

  it('drops application/octet-stream and keeps other types', () => {
    const body = Readable.from([]);
    expect(channelFileOf({ body, contentType: 'application/octet-stream; charset=binary', size: 3 })).toStrictEqual({ body, size: 3 });
    expect(channelFileOf({ body, contentType: 'text/plain' })).toStrictEqual({ body, contentType: 'text/plain' });
    expect(channelFileOf({ body })).toStrictEqual({ body });
  });
});
