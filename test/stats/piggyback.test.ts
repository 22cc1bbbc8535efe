/**
 * Counters ride along in endTurn at most once per `piggybackIntervalMs`: under load one
 * turn carries the merged counts of many messages, and nothing is lost in between.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStatsRecorder } from '../../runtime/stats/stats-recorder.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';

const turn = { historyKey: 'h', messages: [{ role: 'user' as const, content: 'x' }], maxLength: 10, ttlSeconds: 60 };

describe('stats piggyback on endTurn', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands counters to the first endTurn, holds them back within the interval, then hands over the merged counts', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const store = createMemoryStore();
    const stats = createStatsRecorder({ store, flushIntervalMs: 60_000, piggybackIntervalMs: 60 });
    stats.record({ type: 'assignment', bot: 'support', integration: 'gpt' });
    await store.endTurn({ ...turn, counters: stats.drain() });
    expect(await store.readCounters('stats:support')).toEqual({ 'gpt:assignments': 1 });

    stats.record({ type: 'assignment', bot: 'support', integration: 'gpt' });
    await store.endTurn({ ...turn, counters: stats.drain() });
    stats.record({ type: 'assignment', bot: 'support', integration: 'gpt' });
    await store.endTurn({ ...turn, counters: stats.drain() });
    expect(await store.readCounters('stats:support')).toEqual({ 'gpt:assignments': 1 });

    vi.advanceTimersByTime(59);
    await store.endTurn({ ...turn, counters: stats.drain() });
    expect(await store.readCounters('stats:support')).toEqual({ 'gpt:assignments': 1 });

    vi.advanceTimersByTime(1);
    await store.endTurn({ ...turn, counters: stats.drain() });
    expect(await store.readCounters('stats:support')).toEqual({ 'gpt:assignments': 3 });
    await stats.close();
  });

  it('an explicit flush (and readBotStats) writes what was held back', async () => {
    const store = createMemoryStore();
    const stats = createStatsRecorder({ store, flushIntervalMs: 60_000, piggybackIntervalMs: 60_000 });
    stats.record({ type: 'assignment', bot: 'support', integration: 'gpt' });
    await store.endTurn({ ...turn, counters: stats.drain() });
    stats.record({ type: 'assignment', bot: 'support', integration: 'claude' });
    await store.endTurn({ ...turn, counters: stats.drain() });
    expect(await store.readCounters('stats:support')).toEqual({ 'gpt:assignments': 1 });
    await stats.flush();
    expect(await store.readCounters('stats:support')).toEqual({ 'gpt:assignments': 1, 'claude:assignments': 1 });
    await stats.close();
  });

  it('hands counters over within the interval once half of maxPendingFields is pending, so none are dropped', async () => {
    const store = createMemoryStore();
    const stats = createStatsRecorder({ store, flushIntervalMs: 60_000, piggybackIntervalMs: 60_000, maxPendingFields: 4 });
    stats.record({ type: 'assignment', bot: 'a', integration: 'x' });
    await store.endTurn({ ...turn, counters: stats.drain() });
    stats.record({ type: 'assignment', bot: 'b', integration: 'x' });
    await store.endTurn({ ...turn, counters: stats.drain() });
    expect(await store.readCounters('stats:b')).toEqual({});
    stats.record({ type: 'assignment', bot: 'c', integration: 'x' });
    await store.endTurn({ ...turn, counters: stats.drain() });
    expect(await store.readCounters('stats:b')).toEqual({ 'x:assignments': 1 });
    expect(await store.readCounters('stats:c')).toEqual({ 'x:assignments': 1 });
    expect(stats.dropped).toBe(0);
    await stats.close();
  });

  it('with piggybackIntervalMs 0 every endTurn carries what is pending', async () => {
    const store = createMemoryStore();
    const stats = createStatsRecorder({ store, flushIntervalMs: 60_000, piggybackIntervalMs: 0 });
    for (let i = 1; i <= 3; i++) {
      stats.record({ type: 'assignment', bot: 'support', integration: 'gpt' });
      await store.endTurn({ ...turn, counters: stats.drain() });
      expect(await store.readCounters('stats:support')).toEqual({ 'gpt:assignments': i });
    }
    await stats.close();
  });
});
