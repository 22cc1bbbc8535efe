/**
 * The contract every Store implementation passes (undici's `cacheStoreTests` pattern):
 * run by test/store/memory.test.ts and test/store/redis.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../runtime/core/message.js';
import type { CounterIncrement, Store } from '../../runtime/store/store.js';

export interface StoreHarness {
  store: Store;
  /** Seconds left on an (unprefixed) key: -2 when absent, -1 when it has no TTL. */
  ttl(key: string): Promise<number>;
  close(): Promise<void>;
}

export interface StoreFactory {
  /** A store over the data of `namespace` (for Redis: a key prefix; a fresh one per test). */
  make(namespace: string): Promise<StoreHarness>;
  /**
   * Another handle on the same data as `harness` (a second replica on one Redis). The memory
   * store returns the same store: there is one process.
   */
  peer(harness: StoreHarness, namespace: string): Promise<Store>;
}

const user = (text: string): StoredMessage => ({ role: 'user', content: text });
const bot = (text: string): StoredMessage => ({ role: 'assistant', content: text });

let seq = 0;

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Array<{ close(): Promise<void> }> = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((h) => h.close()));
    });
    const fresh = async (): Promise<{ h: StoreHarness; s: Store; ns: string }> => {
      const ns = `c${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}:`;
      const h = await factory.make(ns);
      opened.push(h);
      return { h, s: h.store, ns };
    };
    const peerOf = async (h: StoreHarness, ns: string): Promise<Store> => {
      const p = await factory.peer(h, ns);
      if (p !== h.store) opened.push(p);
      return p;
    };

    it('reports its kind and is up', async () => {
      const { s } = await fresh();
      expect(s.kind).toBe(name);
      expect(s.health()).toEqual({ kind: name, state: 'up' });
    });

    it('returns no history for an unknown conversation', async () => {
      const { s } = await fresh();
      expect(await s.beginTurn({ historyKey: 'h:none', limit: 10 })).toEqual({ history: [], assignment: null, assigned: false });
    });

    it('keeps history in order and returns the `limit` most recent', async () => {
      const { s } = await fresh();
      await s.endTurn({ historyKey: 'h:1', messages: [user('u1'), bot('a1')], maxLength: 100, ttlSeconds: 60 });
      await s.endTurn({ historyKey: 'h:1', messages: [user('u2'), bot('a2')], maxLength: 100, ttlSeconds: 60 });
      expect((await s.beginTurn({ historyKey: 'h:1', limit: 10 })).history).toEqual([user('u1'), bot('a1'), user('u2'), bot('a2')]);
      expect((await s.beginTurn({ historyKey: 'h:1', limit: 3 })).history).toEqual([bot('a1'), user('u2'), bot('a2')]);
      expect((await s.beginTurn({ historyKey: 'h:1', limit: 1 })).history).toEqual([bot('a2')]);
    });

    it('round-trips content parts unchanged', async () => {
      const { s } = await fresh();
      const parts: StoredMessage = {
        role: 'user',
        content: [
          { type: 'text', text: 'look ✓' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ],
      };
      await s.endTurn({ historyKey: 'h:parts', messages: [parts], maxLength: 10, ttlSeconds: 60 });
      expect((await s.beginTurn({ historyKey: 'h:parts', limit: 5 })).history).toEqual([parts]);
    });

    it('limit 0 reads no history but still resolves the assignment', async () => {
      const { s } = await fresh();
      await s.endTurn({ historyKey: 'h:z', messages: [user('u1')], maxLength: 10, ttlSeconds: 60 });
      expect(await s.beginTurn({ historyKey: 'h:z', limit: 0, assignment: { key: 'a:z', candidate: 'x', ttlSeconds: 60 } })).toEqual({
        history: [],
        assignment: 'x',
        assigned: true,
      });
      expect((await s.beginTurn({ historyKey: 'h:z', limit: 5 })).history).toEqual([user('u1')]);
    });

    it('trims history to maxLength, keeping the newest', async () => {
      const { s } = await fresh();
      for (let i = 1; i <= 5; i++) {
        await s.endTurn({ historyKey: 'h:t', messages: [user(`u${i}`), bot(`a${i}`)], maxLength: 3, ttlSeconds: 60 });
      }
      expect((await s.beginTurn({ historyKey: 'h:t', limit: 100 })).history).toEqual([bot('a4'), user('u5'), bot('a5')]);
    });

    it('maxLength 0 keeps no history', async () => {
      const { s } = await fresh();
      await s.endTurn({ historyKey: 'h:0', messages: [user('u1')], maxLength: 5, ttlSeconds: 60 });
      await s.endTurn({ historyKey: 'h:0', messages: [user('u2')], maxLength: 0, ttlSeconds: 60 });
      expect((await s.beginTurn({ historyKey: 'h:0', limit: 10 })).history).toEqual([]);
    });

    it('sets (and refreshes) the TTL of history, assignments and claims', async () => {
      const { h, s } = await fresh();
      await s.endTurn({ historyKey: 'h:ttl', messages: [user('u1')], maxLength: 10, ttlSeconds: 100 });
      expect(await h.ttl('h:ttl')).toBeGreaterThanOrEqual(99);
      expect(await h.ttl('h:ttl')).toBeLessThanOrEqual(100);
      await s.endTurn({ historyKey: 'h:ttl', messages: [user('u2')], maxLength: 10, ttlSeconds: 300 });
      expect(await h.ttl('h:ttl')).toBeGreaterThanOrEqual(299);

      await s.beginTurn({ historyKey: 'h:ttl', limit: 1, assignment: { key: 'a:ttl', candidate: 'x', ttlSeconds: 200 } });
      expect(await h.ttl('a:ttl')).toBeGreaterThanOrEqual(199);
      expect(await h.ttl('a:ttl')).toBeLessThanOrEqual(200);
      // Sliding: a later message of the same user extends the assignment.
      await s.beginTurn({ historyKey: 'h:ttl', limit: 1, assignment: { key: 'a:ttl', candidate: 'y', ttlSeconds: 500 } });
      expect(await h.ttl('a:ttl')).toBeGreaterThanOrEqual(499);

      await s.setAssignment('a:ttl', 'z', 40);
      expect(await h.ttl('a:ttl')).toBeGreaterThanOrEqual(39);
      expect(await h.ttl('a:ttl')).toBeLessThanOrEqual(40);

      expect(await s.claimOnce('c:ttl', 50)).toBe(true);
      expect(await h.ttl('c:ttl')).toBeGreaterThanOrEqual(49);
      expect(await h.ttl('c:ttl')).toBeLessThanOrEqual(50);
      expect(await h.ttl('nothing')).toBe(-2);
    });

    it('records the first candidate and keeps it for later messages', async () => {
      const { s } = await fresh();
      const first = await s.beginTurn({ historyKey: 'h:a', limit: 0, assignment: { key: 'a:1', candidate: 'gpt', ttlSeconds: 60 } });
      expect(first).toEqual({ history: [], assignment: 'gpt', assigned: true });
      const second = await s.beginTurn({ historyKey: 'h:a', limit: 0, assignment: { key: 'a:1', candidate: 'claude', ttlSeconds: 60 } });
      expect(second).toEqual({ history: [], assignment: 'gpt', assigned: false });
    });

    it('two concurrent claims with different candidates agree on one winner', async () => {
      const { h, s, ns } = await fresh();
      const other = await peerOf(h, ns);
      for (let i = 0; i < 20; i++) {
        const key = `a:race:${i}`;
        const [r1, r2] = await Promise.all([
          s.beginTurn({ historyKey: 'h:r', limit: 2, assignment: { key, candidate: 'left', ttlSeconds: 60 } }),
          other.beginTurn({ historyKey: 'h:r', limit: 2, assignment: { key, candidate: 'right', ttlSeconds: 60 } }),
        ]);
        expect(r1.assignment).toBe(r2.assignment);
        expect(Number(r1.assigned) + Number(r2.assigned)).toBe(1);
        expect(r1.assigned ? 'left' : 'right').toBe(r1.assignment);
      }
    });

    it('setAssignment overwrites the recorded assignment', async () => {
      const { s } = await fresh();
      await s.beginTurn({ historyKey: 'h:s', limit: 0, assignment: { key: 'a:s', candidate: 'old', ttlSeconds: 60 } });
      await s.setAssignment('a:s', 'new', 60);
      expect(await s.beginTurn({ historyKey: 'h:s', limit: 0, assignment: { key: 'a:s', candidate: 'other', ttlSeconds: 60 } })).toEqual({
        history: [],
        assignment: 'new',
        assigned: false,
      });
    });

    it('claimOnce is true only the first time, until released', async () => {
      const { s } = await fresh();
      expect(await s.claimOnce('d:1', 60)).toBe(true);
      expect(await s.claimOnce('d:1', 60)).toBe(false);
      expect(await s.claimOnce('d:2', 60)).toBe(true);
      await s.releaseClaim('d:1');
      expect(await s.claimOnce('d:1', 60)).toBe(true);
      await s.releaseClaim('never-claimed');
    });

    it('stores of different namespaces (key prefixes) do not see each other', async () => {
      const a = await fresh();
      const b = await fresh();
      await a.s.endTurn({ historyKey: 'h:same', messages: [user('from a')], maxLength: 10, ttlSeconds: 60 });
      await a.s.beginTurn({ historyKey: 'h:same', limit: 0, assignment: { key: 'a:same', candidate: 'A', ttlSeconds: 60 } });
      expect(await a.s.claimOnce('d:same', 60)).toBe(true);
      expect(await b.s.beginTurn({ historyKey: 'h:same', limit: 10, assignment: { key: 'a:same', candidate: 'B', ttlSeconds: 60 } })).toEqual({
        history: [],
        assignment: 'B',
        assigned: true,
      });
      expect(await b.s.claimOnce('d:same', 60)).toBe(true);
      expect((await a.s.beginTurn({ historyKey: 'h:same', limit: 10 })).history).toEqual([user('from a')]);
    });

    it('increments and reads counters, directly and through endTurn', async () => {
      const { s } = await fresh();
      expect(await s.readCounters('stats:none')).toEqual({});
      await s.incrementCounters([
        { key: 'stats:b', field: 'x:requests', by: 2 },
        { key: 'stats:b', field: 'x:requests', by: 3 },
        { key: 'stats:b', field: 'y:requests', by: 1 },
      ]);
      const counters: CounterIncrement[] = [{ key: 'stats:b', field: 'x:assignments', by: 1 }];
      await s.endTurn({ historyKey: 'h:c', messages: [user('u')], maxLength: 10, ttlSeconds: 60, counters });
      expect(await s.readCounters('stats:b')).toEqual({ 'x:requests': 5, 'y:requests': 1, 'x:assignments': 1 });
      // An endTurn with no counters leaves counters alone.
      await s.endTurn({ historyKey: 'h:c', messages: [user('u2')], maxLength: 10, ttlSeconds: 60 });
      expect(await s.readCounters('stats:b')).toEqual({ 'x:requests': 5, 'y:requests': 1, 'x:assignments': 1 });
    });

    it('writes the user index with endTurn; its TTL only grows; members can be removed', async () => {
      const { h, s } = await fresh();
      expect(await s.readUserIndex('{u:x}:keys')).toEqual([]);
      await s.endTurn({ historyKey: 'h:i1', messages: [user('a')], maxLength: 10, ttlSeconds: 60, userIndex: { key: '{u:x}:keys', members: ['m1', 'm2'], ttlSeconds: 600 } });
      // With counters (the pipelined path) too.
      await s.endTurn({ historyKey: 'h:i2', messages: [user('b')], maxLength: 10, ttlSeconds: 60, userIndex: { key: '{u:x}:keys', members: ['m2', 'm3'], ttlSeconds: 100 }, counters: [{ key: 'stats:i', field: 'f', by: 1 }] });
      expect((await s.readUserIndex('{u:x}:keys')).sort()).toEqual(['m1', 'm2', 'm3']);
      const ttl = await h.ttl('{u:x}:keys');
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
      await s.removeFromUserIndex('{u:x}:keys', ['m1', 'm3']);
      expect(await s.readUserIndex('{u:x}:keys')).toEqual(['m2']);
    });

    it('readHistory returns the whole list; deleteKey deletes one key and says whether it existed', async () => {
      const { s } = await fresh();
      await s.endTurn({ historyKey: 'h:d', messages: [user('1'), bot('2'), user('3')], maxLength: 10, ttlSeconds: 60 });
      expect(await s.readHistory('h:d')).toEqual([user('1'), bot('2'), user('3')]);
      expect(await s.readHistory('h:none')).toEqual([]);
      await s.beginTurn({ historyKey: 'h:d', limit: 0, assignment: { key: 'a:d', candidate: 'x', ttlSeconds: 60 } });
      expect(await s.deleteKey('h:d')).toBe(true);
      expect(await s.deleteKey('h:d')).toBe(false);
      expect(await s.deleteKey('a:d')).toBe(true);
      expect(await s.readHistory('h:d')).toEqual([]);
      expect((await s.beginTurn({ historyKey: 'h:d', limit: 0, assignment: { key: 'a:d', candidate: 'y', ttlSeconds: 60 } })).assignment).toBe('y');
    });
  });
}
