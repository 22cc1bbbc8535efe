import { describe, expect, it } from 'vitest';
import { TtlLru } from '../../runtime/store/ttl-lru.js';

describe('TtlLru', () => {
  it('evicts the least recently used entry beyond its bound (small bounds move on every access)', () => {
    const lru = new TtlLru<number>(3);
    lru.set('a', 1, 1000);
    lru.set('b', 2, 1000);
    lru.set('c', 3, 1000);
    expect(lru.get('a')).toBe(1); // a is now the newest
    lru.set('d', 4, 1000); // evicts b
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual([1, 3, 4]);
    expect(lru.size).toBe(3);
  });

  it('never evicts an entry used at least once every maxEntries/4 operations, however many others come and go', () => {
    const lru = new TtlLru<number>(100);
    lru.set('hot', 0, 60_000);
    for (let i = 0; i < 10_000; i++) {
      lru.set(`cold-${i}`, i, 60_000);
      if (i % 12 === 0) expect(lru.get('hot')).toBe(0); // one get per 24 ops (a set and a get each)
    }
    expect(lru.size).toBe(100);
    // And the cold ones really were evicted oldest first: the newest 99 remain.
    expect(lru.get('cold-9999')).toBe(9999);
    expect(lru.get('cold-9901')).toBe(9901);
    expect(lru.get('cold-9000')).toBeUndefined();
  });

  it('evicts an entry nobody touches once enough newer ones arrive', () => {
    const lru = new TtlLru<number>(100);
    lru.set('idle', 1, 60_000);
    for (let i = 0; i < 100; i++) lru.set(`k${i}`, i, 60_000);
    expect(lru.get('idle')).toBeUndefined();
  });

  it('expires entries, and set() refreshes value and expiry in place', () => {
    let now = 1_000;
    const lru = new TtlLru<string>(10, () => now);
    lru.set('k', 'v1', 100);
    now += 50;
    lru.set('k', 'v2', 100);
    now += 80; // 130 ms after the first set, 80 after the second
    expect(lru.get('k')).toBe('v2');
    expect(lru.ttlMs('k')).toBe(20);
    now += 20;
    expect(lru.get('k')).toBeUndefined();
    expect(lru.peek('k')).toBeUndefined();
  });

  it('evicts the least recently used others while over its byte bound, never the entry being written', () => {
    const lru = new TtlLru<string>(100, Date.now, 100);
    lru.set('a', 'x', 1000, 40);
    lru.set('b', 'x', 1000, 40);
    expect(lru.bytes).toBe(80);
    lru.set('c', 'x', 1000, 40); // 120 > 100: a goes
    expect([lru.get('a'), lru.bytes]).toEqual([undefined, 80]);
    lru.set('b', 'xx', 1000, 90); // b grows in place: c goes, b stays
    expect([lru.get('c'), lru.get('b'), lru.bytes, lru.bytesOf('b')]).toEqual([undefined, 'xx', 90, 90]);
    lru.delete('b');
    expect(lru.bytes).toBe(0);
  });
});
