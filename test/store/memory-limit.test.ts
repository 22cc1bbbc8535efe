/**
 * The memory store bounded by bytes (`SWITCHBOARD_MEMORY_LIMIT`): a flood of messages at the
 * largest accepted size (99,990 characters) over many conversations stays under the limit,
 * least recently used conversations go first, and the variable is parsed strictly.
 */
import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../runtime/core/byte-size.js';
import { startRuntime } from '../../runtime/runtime.js';
import { DEFAULT_MEMORY_LIMIT_BYTES } from '../../runtime/store/defaults.js';
import { memoryLimitFromEnv } from '../../runtime/store/memory-limit.js';
import { createMemoryStore, type MemoryStore } from '../../runtime/store/memory-store.js';

const MiB = 1024 * 1024;
const longText = (i: number): string => `${i}:`.padEnd(99_990, 'x');

/** Bytes of what the store really holds, read back through its API (independent of its accounting). */
async function heldBytes(store: MemoryStore, keys: string[]): Promise<number> {
  let total = 0;
  for (const key of keys) {
    const turn = await store.beginTurn({ historyKey: key, limit: 1000, json: true });
    for (const json of turn.historyJson ?? []) total += 2 * json.length;
  }
  return total;
}

describe('memory store byte bound', () => {
  it('keeps a flood of 99,990-character messages over 400 conversations under the limit', async () => {
    const limit = 16 * MiB;
    const store = createMemoryStore({ memoryLimitBytes: limit });
    const keys: string[] = [];
    let peak = 0;
    for (let c = 0; c < 400; c++) {
      const key = `h:bot:conv-${c}`;
      keys.push(key);
      await store.endTurn({ historyKey: key, messages: [{ role: 'user', content: longText(c) }, { role: 'assistant', content: longText(c) }], maxLength: 1000, ttlSeconds: 3600 });
      peak = Math.max(peak, store.historyBytes());
    }
    // 400 × 2 × ~200 KB would be ~160 MB unbounded.
    expect(peak).toBeLessThanOrEqual(limit);
    const held = await heldBytes(store, keys);
    expect(held).toBeLessThanOrEqual(limit);
    expect(held).toBeGreaterThan(limit / 2); // the bound is used, not just evicting everything
    // The most recent conversations survive, the oldest went first.
    expect((await store.beginTurn({ historyKey: keys[399] as string, limit: 10 })).history).toHaveLength(2);
    expect((await store.beginTurn({ historyKey: keys[0] as string, limit: 10 })).history).toEqual([]);
  });

  it('keeps a conversation that is used again while others are evicted', async () => {
    const store = createMemoryStore({ memoryLimitBytes: 4 * MiB });
    const write = (key: string, i: number) => store.endTurn({ historyKey: key, messages: [{ role: 'user', content: longText(i) }], maxLength: 1000, ttlSeconds: 3600 });
    for (let i = 0; i < 200; i++) {
      await write('h:active', i);
      await write(`h:other-${i}`, i);
      expect(store.historyBytes()).toBeLessThanOrEqual(4 * MiB);
    }
    const active = await store.beginTurn({ historyKey: 'h:active', limit: 1000 });
    expect(active.history.length).toBeGreaterThan(0);
    expect(active.history.at(-1)?.content).toBe(longText(199));
  });

  it('trims one conversation that alone would exceed the limit, keeping its newest messages', async () => {
    const store = createMemoryStore({ memoryLimitBytes: 2 * MiB });
    for (let i = 0; i < 30; i++) await store.endTurn({ historyKey: 'h:one', messages: [{ role: 'user', content: longText(i) }], maxLength: 1000, ttlSeconds: 3600 });
    const history = (await store.beginTurn({ historyKey: 'h:one', limit: 1000 })).history;
    expect(store.historyBytes()).toBeLessThanOrEqual(2 * MiB);
    expect(history.length).toBeGreaterThan(5);
    expect(history.length).toBeLessThan(30);
    expect(history.at(-1)?.content).toBe(longText(29));
  });

  it('accounts deletions and expiry, so the total goes back down', async () => {
    let now = 0;
    const store = createMemoryStore({ memoryLimitBytes: 8 * MiB, now: () => now });
    await store.endTurn({ historyKey: 'a', messages: [{ role: 'user', content: longText(1) }], maxLength: 10, ttlSeconds: 10 });
    await store.endTurn({ historyKey: 'b', messages: [{ role: 'user', content: longText(2) }], maxLength: 10, ttlSeconds: 100 });
    const both = store.historyBytes();
    await store.endTurn({ historyKey: 'b', messages: [], maxLength: 0, ttlSeconds: 100 });
    expect(store.historyBytes()).toBeLessThan(both);
    now = 20_000;
    await store.beginTurn({ historyKey: 'a', limit: 10 });
    expect(store.historyBytes()).toBe(0);
  });

  it('defaults to 256 MiB', () => {
    expect(DEFAULT_MEMORY_LIMIT_BYTES).toBe(256 * MiB);
    expect(memoryLimitFromEnv({})).toBe(256 * MiB);
    expect(memoryLimitFromEnv({ SWITCHBOARD_MEMORY_LIMIT: '' })).toBe(256 * MiB);
  });
});

describe('SWITCHBOARD_MEMORY_LIMIT', () => {
  it.each([
    ['64MiB', 64 * MiB],
    ['1GiB', 1024 * MiB],
    ['1 gib', 1024 * MiB],
    ['512mb', 512_000_000],
    ['1.5GiB', 1.5 * 1024 * MiB],
    ['2097152', 2 * MiB],
    ['4096KiB', 4 * MiB],
  ])('accepts %s', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
    expect(memoryLimitFromEnv({ SWITCHBOARD_MEMORY_LIMIT: text })).toBe(bytes);
  });

  it.each(['lots', '256 MiBs', '-1MiB', '0', '1e9', 'MiB', '12 34'])('refuses %s, naming the variable', (text) => {
    expect(parseByteSize(text)).toBeNull();
    expect(() => memoryLimitFromEnv({ SWITCHBOARD_MEMORY_LIMIT: text })).toThrow(/^SWITCHBOARD_MEMORY_LIMIT must be a size such as 256MiB, 1GiB or a number of bytes, got "/);
  });

  it('refuses a limit too small to hold one message', () => {
    expect(() => memoryLimitFromEnv({ SWITCHBOARD_MEMORY_LIMIT: '1000' })).toThrow('SWITCHBOARD_MEMORY_LIMIT must be at least 1MiB, got "1000"');
  });
});

describe('start-up with a bad SWITCHBOARD_MEMORY_LIMIT', () => {
  it('refuses to start, naming the variable', async () => {
    await expect(startRuntime({ configDir: 'examples/config', env: { SWITCHBOARD_MEMORY_LIMIT: '256 megs' }, listen: false, watch: false })).rejects.toThrow(
      'SWITCHBOARD_MEMORY_LIMIT must be a size such as 256MiB, 1GiB or a number of bytes, got "256 megs"',
    );
  });
});
