/**
 * The history/assignment store: one interface, two implementations (memory, Redis), one
 * shared contract suite (`test/store/store.contract.ts`) both must pass.
 *
 * A message costs at most two store round trips: `beginTurn` (history read + sticky
 * assignment read-or-claim) and `endTurn` (history append/trim/TTL + the counters it is handed).
 */
import type { StoredMessage } from '../core/message.js';

export interface StoreHealth {
  kind: 'memory' | 'redis';
  /**
   * `down` while Redis is unreachable; `degraded` while it answers commands with errors
   * (e.g. `OOM` at maxmemory); the runtime keeps answering without history in both.
   */
  state: 'up' | 'degraded' | 'down';
  lastError?: string;
}

export interface BeginTurnQuery {
  historyKey: string;
  /** Number of most recent messages to read; 0 reads none. */
  limit: number;
  /** Sticky assignment: read it, or atomically record `candidate` when absent (SET NX). */
  assignment?: { key: string; candidate: string; ttlSeconds: number };
  /**
   * Ask for `historyJson` (the stored JSON text of each message, as written by `endTurn`'s
   * JSON.stringify) instead of parsed `history`. Only a store whose text cannot have been
   * written by anyone else (the in-process memory store) honours it; callers handle both.
   */
  json?: boolean;
}

export interface BeginTurnResult {
  /** Oldest first. Empty when `historyJson` is given instead. */
  history: StoredMessage[];
  /** With `query.json`, from stores that honour it: the messages as JSON text, oldest first. */
  historyJson?: readonly string[];
  /** The recorded assignment (an existing one, or `candidate` if this call recorded it). */
  assignment: string | null;
  /** True when this call recorded the candidate. */
  assigned: boolean;
}

export interface EndTurnWrite {
  historyKey: string;
  messages: StoredMessage[];
  /** Keep at most this many messages. */
  maxLength: number;
  ttlSeconds: number;
  /**
   * Counter increments written in the same round trip (the A/B stats ride along, so they
   * cost no extra one). When the write fails the caller still owns them.
   */
  counters?: readonly CounterIncrement[];
  /**
   * The user's index entry, written in the same round trip (export and erasure find a user's
   * keys through it instead of scanning the keyspace). Its own key, so on a cluster it is a
   * separate command of the same pipeline.
   */
  userIndex?: UserIndexWrite;
}

/** Adds members to a per-user index set and extends its TTL to at least `ttlSeconds`. */
export interface UserIndexWrite {
  key: string;
  members: readonly string[];
  ttlSeconds: number;
}

/** One hash-field increment (Redis HINCRBY). Used by the A/B stats (runtime/stats). */
export interface CounterIncrement {
  /** Hash key, unprefixed (the store adds its key prefix). */
  key: string;
  field: string;
  by: number;
  /** Expiry of the hash after this write, in seconds; default the store's counter TTL. */
  ttlSeconds?: number;
}

/**
 * Pending counter increments the pipeline hands to the store's `endTurn`, so stats cost no
 * extra round trip. `drain` hands over (and forgets) what is pending — possibly nothing,
 * when the source batches increments for a later turn or its own flush; `restore` gives it
 * back when the write failed.
 */
export interface CounterSource {
  drain(): CounterIncrement[];
  restore(increments: CounterIncrement[]): void;
}

export interface Store {
  readonly kind: 'memory' | 'redis';
  beginTurn(query: BeginTurnQuery): Promise<BeginTurnResult>;
  /** Overwrite an assignment whose integration lost its weight. */
  setAssignment(key: string, value: string, ttlSeconds: number): Promise<void>;
  endTurn(write: EndTurnWrite): Promise<void>;
  /** SET NX with TTL: true the first time `key` is claimed (channel delivery dedupe). */
  claimOnce(key: string, ttlSeconds: number): Promise<boolean>;
  /** Undo a claim whose processing could not start, so a re-delivery is processed. */
  releaseClaim(key: string): Promise<void>;
  health(): StoreHealth;
  close(): Promise<void>;
  /** Applies increments now (one round trip). Shared by every replica on one Redis. */
  incrementCounters(increments: readonly CounterIncrement[]): Promise<void>;
  /** Reads one counter hash (unprefixed key); `{}` when absent. */
  readCounters(key: string): Promise<Record<string, number>>;
  /** The members of a per-user index (see `EndTurnWrite.userIndex`); `[]` when absent. */
  readUserIndex(key: string): Promise<string[]>;
  /** Removes members from a per-user index. */
  removeFromUserIndex(key: string, members: readonly string[]): Promise<void>;
  /** A conversation's whole stored history, oldest first (export). */
  readHistory(historyKey: string): Promise<StoredMessage[]>;
  /**
   * Deletes one key (a history, an assignment or an index); true when it existed. One key per
   * call, so erasing a user never sends a cross-slot command to a cluster.
   */
  deleteKey(key: string): Promise<boolean>;
}
