import { describe, expect, it } from 'vitest';
import { createMemoryStore, type MemoryStore } from '../../runtime/store/memory-store.js';
import { storeContract } from './store.contract.js';

storeContract('memory', {
  async make() {
    const store = createMemoryStore();
    return { store, ttl: async (key) => store.ttlOf(key), close: () => store.close() };
  },
  async peer(h) {
    return h.store;
  },
});

describe('memory store bounds', () => {
  const clock = (): { now: () => number; advance(ms: number): void } => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms) => void (t += ms) };
  };

  it('expires history, assignments and claims after their TTL', async () => {
    const c = clock();
    const s: MemoryStore = createMemoryStore({ now: c.now });
    await s.endTurn({ historyKey: 'h', messages: [{ role: 'user', content: 'hi' }], maxLength: 10, ttlSeconds: 10 });
    await s.beginTurn({ historyKey: 'h', limit: 0, assignment: { key: 'a', candidate: 'x', ttlSeconds: 20 } });
    expect(await s.claimOnce('d', 5)).toBe(true);
    c.advance(5_000);
    expect(await s.claimOnce('d', 5)).toBe(true);
    c.advance(5_000);
    expect((await s.beginTurn({ historyKey: 'h', limit: 10 })).history).toEqual([]);
    expect(s.ttlOf('a')).toBe(10);
    c.advance(10_000);
    expect(await s.beginTurn({ historyKey: 'h', limit: 0, assignment: { key: 'a', candidate: 'y', ttlSeconds: 20 } })).toEqual({
      history: [],
      assignment: 'y',
      assigned: true,
    });
  });

  it('evicts the least recently used conversation beyond its bound', async () => {
    const s = createMemoryStore({ limits: { conversations: 2 } });
    const put = (k: string): Promise<void> => s.endTurn({ historyKey: k, messages: [{ role: 'user', content: k }], maxLength: 10, ttlSeconds: 60 });
    await put('h1');
    await put('h2');
    await s.beginTurn({ historyKey: 'h1', limit: 1 }); // h1 is now the most recently used
    await put('h3');
    expect((await s.beginTurn({ historyKey: 'h1', limit: 1 })).history).toEqual([{ role: 'user', content: 'h1' }]);
    expect((await s.beginTurn({ historyKey: 'h2', limit: 1 })).history).toEqual([]);
    expect((await s.beginTurn({ historyKey: 'h3', limit: 1 })).history).toEqual([{ role: 'user', content: 'h3' }]);
  });

  it('bounds assignments and claims too', async () => {
    const s = createMemoryStore({ limits: { assignments: 3, claims: 3 } });
    for (let i = 0; i < 10; i++) {
      await s.beginTurn({ historyKey: 'h', limit: 0, assignment: { key: `a${i}`, candidate: `c${i}`, ttlSeconds: 60 } });
      await s.claimOnce(`d${i}`, 60);
    }
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => s.ttlOf(`a${i}`))).toEqual([-2, -2, -2, -2, -2, -2, -2]);
    expect([7, 8, 9].map((i) => s.ttlOf(`a${i}`))).toEqual([60, 60, 60]);
    expect(await s.claimOnce('d0', 60)).toBe(true);
    expect(await s.claimOnce('d9', 60)).toBe(false);
  });

  it('caps a conversation at 1000 messages whatever maxLength asks', async () => {
    const s = createMemoryStore();
    const many = Array.from({ length: 1500 }, (_, i) => ({ role: 'user' as const, content: String(i) }));
    await s.endTurn({ historyKey: 'h', messages: many, maxLength: 1_000_000, ttlSeconds: 60 });
    const { history } = await s.beginTurn({ historyKey: 'h', limit: 5000 });
    expect(history).toHaveLength(1000);
    expect(history[0]).toEqual({ role: 'user', content: '500' });
  });

  it('returns copies: mutating what was read does not change what is stored', async () => {
    const s = createMemoryStore();
    await s.endTurn({ historyKey: 'h', messages: [{ role: 'user', content: 'orig' }], maxLength: 10, ttlSeconds: 60 });
    const first = await s.beginTurn({ historyKey: 'h', limit: 10 });
    first.history[0]!.content = 'changed';
    expect((await s.beginTurn({ historyKey: 'h', limit: 10 })).history).toEqual([{ role: 'user', content: 'orig' }]);
  });

  it('json: gives the stored text of the last `limit` messages instead of parsed ones (a copy: later turns do not change it)', async () => {
    const s = createMemoryStore();
    const msgs = [{ role: 'user' as const, content: 'a "q"' }, { role: 'assistant' as const, content: 'b' }, { role: 'user' as const, content: 'c' }];
    await s.endTurn({ historyKey: 'h', messages: msgs, maxLength: 10, ttlSeconds: 60 });
    const turn = await s.beginTurn({ historyKey: 'h', limit: 2, json: true, assignment: { key: 'a', candidate: 'x', ttlSeconds: 60 } });
    expect(turn).toEqual({ history: [], historyJson: msgs.slice(1).map((m) => JSON.stringify(m)), assignment: 'x', assigned: true });
    await s.endTurn({ historyKey: 'h', messages: [{ role: 'assistant', content: 'd' }], maxLength: 10, ttlSeconds: 60 });
    expect(turn.historyJson).toHaveLength(2);
    expect((await s.beginTurn({ historyKey: 'none', limit: 5, json: true })).historyJson).toEqual([]);
  });
});

