/**
 * In-process store: used when `REDIS_URL` is not set (one replica, history lost on restart).
 * Every map is size-bounded (LRU) and entries expire like their Redis counterparts, so the
 * process cannot grow without bound; history is bounded by bytes as well as by count
 * (`memoryLimitBytes`), since a few thousand long conversations would otherwise fill memory. Messages are kept as JSON strings, as in Redis, so a
 * caller mutating what it read cannot change what is stored.
 */
import type { StoredMessage } from '../core/message.js';
import { clampHistoryLength, DEFAULT_COUNTER_TTL_SECONDS, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_MEMORY_LIMITS } from './defaults.js';
import type {
  BeginTurnQuery,
  BeginTurnResult,
  CounterIncrement,
  EndTurnWrite,
  Store,
  StoreHealth,
} from './store.js';
import { TtlLru } from './ttl-lru.js';

export interface MemoryStoreOptions {
  /** Upper bounds of each map; least recently used entries go first. */
  limits?: Partial<Record<keyof typeof DEFAULT_MEMORY_LIMITS, number>>;
  /** Bytes of history held at most (default 256 MiB); least recently used conversations go first. */
  memoryLimitBytes?: number;
  /** Counter hashes expire this long after their last increment (default 90 days). */
  counterTtlSeconds?: number;
  /** Injectable clock (ms since epoch), for tests. */
  now?: () => number;
}

/** The memory store, plus a TTL probe that the shared contract suite uses. */
export interface MemoryStore extends Store {
  readonly kind: 'memory';
  incrementCounters(increments: readonly CounterIncrement[]): Promise<void>;
  readCounters(key: string): Promise<Record<string, number>>;
  /** Accounted bytes of stored history (what `memoryLimitBytes` bounds). */
  historyBytes(): number;
  /** Seconds left before `key` (history, assignment, claim or counter key) expires; -2 when absent. */
  ttlOf(key: string): number;
}

// Accounted size of a stored message: V8 may keep a string in two bytes per character, plus
// the string header and its slot in the list.
const messageBytes = (json: string): number => 2 * json.length + 32;
// The entry, its key and its list, per conversation.
const conversationBytes = (key: string): number => 2 * key.length + 160;

/** Creates an in-process store. Never fails; `health()` is always `up`. */
export function createMemoryStore(opts: MemoryStoreOptions = {}): MemoryStore {
  const now = opts.now ?? Date.now;
  const limits = { ...DEFAULT_MEMORY_LIMITS, ...opts.limits };
  const counterTtlMs = (opts.counterTtlSeconds ?? DEFAULT_COUNTER_TTL_SECONDS) * 1000;
  const maxHistoryBytes = opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
  const histories = new TtlLru<string[]>(limits.conversations, now, maxHistoryBytes);
  const assignments = new TtlLru<string>(limits.assignments, now);
  const claims = new TtlLru<true>(limits.claims, now);
  const counters = new TtlLru<Map<string, number>>(limits.counterKeys, now);
  const userIndexes = new TtlLru<Set<string>>(limits.assignments, now);
  let closed = false;

  const applyCounters = (increments: readonly CounterIncrement[]): void => {
    for (const { key, field, by, ttlSeconds } of increments) {
      const hash = counters.get(key) ?? new Map<string, number>();
      hash.set(field, (hash.get(field) ?? 0) + by);
      counters.set(key, hash, ttlSeconds === undefined ? counterTtlMs : ttlSeconds * 1000);
    }
  };

  return {
    kind: 'memory',

    async beginTurn(query: BeginTurnQuery): Promise<BeginTurnResult> {
      const limit = Math.floor(query.limit);
      const stored = limit > 0 ? histories.get(query.historyKey) : undefined;
      // A copy of the tail (later turns append to the stored list in place).
      const tail = stored ? stored.slice(-limit) : [];
      // json: the stored text itself; otherwise fresh objects (a caller may mutate them).
      const turn: BeginTurnResult = { history: query.json ? [] : tail.map((t) => JSON.parse(t) as StoredMessage), assignment: null, assigned: false };
      if (query.json) turn.historyJson = tail;
      if (!query.assignment) return turn;
      const { key, candidate, ttlSeconds } = query.assignment;
      const existing = assignments.get(key);
      // Sliding TTL: an active user keeps the arm; set() also refreshes the expiry.
      assignments.set(key, existing ?? candidate, ttlSeconds * 1000);
      turn.assignment = existing ?? candidate;
      turn.assigned = existing === undefined;
      return turn;
    },

    async setAssignment(key, value, ttlSeconds) {
      assignments.set(key, value, ttlSeconds * 1000);
    },

    async endTurn(write: EndTurnWrite): Promise<void> {
      const max = clampHistoryLength(write.maxLength);
      if (max === 0) histories.delete(write.historyKey);
      else if (write.messages.length > 0) {
        // The list is this store's own array: append and trim in place (no copy per turn).
        const list = histories.peek(write.historyKey) ?? [];
        let bytes = histories.bytesOf(write.historyKey) ?? conversationBytes(write.historyKey);
        for (const m of write.messages) {
          const json = JSON.stringify(m);
          list.push(json);
          bytes += messageBytes(json);
        }
        const excess = list.length - max;
        if (excess > 0) for (const old of list.splice(0, excess)) bytes -= messageBytes(old);
        // One conversation alone must fit too: drop its oldest messages (keeping the newest).
        let drop = 0;
        while (bytes > maxHistoryBytes && drop < list.length - 1) bytes -= messageBytes(list[drop++] as string);
        if (drop > 0) list.splice(0, drop);
        histories.set(write.historyKey, list, write.ttlSeconds * 1000, bytes);
      }
      if (write.counters) applyCounters(write.counters);
      if (write.userIndex) {
        const { key, members, ttlSeconds } = write.userIndex;
        const set = userIndexes.peek(key) ?? new Set<string>();
        for (const m of members) set.add(m);
        // Like the Redis script: the index lives at least as long as the longest TTL it was given.
        const ttlMs = Math.max(ttlSeconds * 1000, userIndexes.ttlMs(key) ?? 0);
        userIndexes.set(key, set, ttlMs);
      }
    },

    async claimOnce(key, ttlSeconds) {
      if (claims.get(key)) return false;
      claims.set(key, true, ttlSeconds * 1000);
      return true;
    },

    async releaseClaim(key) {
      claims.delete(key);
    },

    health(): StoreHealth {
      return { kind: 'memory', state: 'up' };
    },

    async close() {
      if (closed) return;
      closed = true;
      histories.clear();
      assignments.clear();
      claims.clear();
      counters.clear();
      userIndexes.clear();
    },

    async incrementCounters(increments) {
      applyCounters(increments);
    },

    async readCounters(key) {
      return Object.fromEntries(counters.get(key) ?? []);
    },


    historyBytes(): number {
      return histories.bytes;
    },

    async readUserIndex(key) {
      return [...(userIndexes.get(key) ?? [])];
    },

    async removeFromUserIndex(key, members) {
      const set = userIndexes.peek(key);
      if (!set) return;
      for (const m of members) set.delete(m);
      if (set.size === 0) userIndexes.delete(key);
    },

    async readHistory(historyKey) {
      return (histories.peek(historyKey) ?? []).map((t) => JSON.parse(t) as StoredMessage);
    },

    async deleteKey(key) {
      let found = false;
      for (const map of [histories, assignments, userIndexes] as TtlLru<unknown>[]) {
        // An expired entry may still sit in the map until it is read: it does not count.
        if (map.ttlMs(key) !== undefined) found = true;
        map.delete(key);
      }
      return found;
    },

    ttlOf(key: string): number {
      for (const map of [histories, assignments, claims, counters, userIndexes] as TtlLru<unknown>[]) {
        const ms = map.ttlMs(key);
        if (ms !== undefined) return Math.ceil(ms / 1000);
      }
      return -2;
    },
  };
}
