/** The in-memory Idempotency-Key records: 24 h for a reply, 5 minutes for one in flight (injected clock). */
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_PENDING_MS, IDEMPOTENCY_TTL_MS, runIdempotent } from '../../runtime/idempotency/idempotency.js';
import { createMemoryIdempotency } from '../../runtime/idempotency/memory-idempotency.js';

describe('memory idempotency store', () => {
  it('replays a reply for 24 h, then runs again', async () => {
    let now = 0;
    const store = createMemoryIdempotency({ now: () => now });
    let runs = 0;
    const run = async () => ({ status: 200, body: { n: ++runs } });
    const opts = { store, bot: 'b', key: 'k', fingerprint: 'f' };
    expect(await runIdempotent(opts, run)).toEqual({ status: 200, body: { n: 1 } });
    now = IDEMPOTENCY_TTL_MS - 1;
    expect(await runIdempotent(opts, run)).toEqual({ status: 200, body: { n: 1 } });
    now = IDEMPOTENCY_TTL_MS + 1;
    expect(await runIdempotent(opts, run)).toEqual({ status: 200, body: { n: 2 } });
  });

  it('frees a key whose first request threw, and one in flight after 5 minutes', async () => {
    let now = 0;
    const store = createMemoryIdempotency({ now: () => now });
    const opts = { store, bot: 'b', key: 'k', fingerprint: 'f' };
    await expect(runIdempotent(opts, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await store.claim('b', 'k', 'f')).toBeUndefined();
    // Now in flight and never finished (its process died): blocks repeats for 5 minutes only.
    expect(await store.claim('b', 'k', 'f')).toEqual(expect.objectContaining({ fingerprint: 'f' }));
    now = IDEMPOTENCY_PENDING_MS + 1;
    expect(await store.claim('b', 'k', 'f')).toBeUndefined();
  });

  it('keeps bots apart', async () => {
    const store = createMemoryIdempotency();
    expect(await store.claim('a', 'k', 'f')).toBeUndefined();
    expect(await store.claim('b', 'k', 'f')).toBeUndefined();
  });
});
