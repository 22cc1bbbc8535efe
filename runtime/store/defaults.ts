/**
 * Store defaults, in one place so the README, both stores and the pipeline agree.
 */

/** Key prefix of every Redis key (`swb:`), so Switchboard can share a Redis database. */
export const DEFAULT_KEY_PREFIX = 'swb:';

/** A sticky A/B assignment lives 30 days after the user's (or conversation's) last message. */
export const DEFAULT_ASSIGNMENT_TTL_SECONDS = 30 * 24 * 3600;

/** A/B counters (GET /bots/:bot/stats) live 90 days after their last increment. */
export const DEFAULT_COUNTER_TTL_SECONDS = 90 * 24 * 3600;

/** Hard cap on stored messages per conversation, whatever `maxLength` a caller asks for. */
export const MAX_HISTORY_LENGTH = 1000;

/** Redis commands reject after this long, so an outage cannot hang a request. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 500;

/** Longest pause between two reconnect attempts to Redis. */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 2000;

/** Memory store bounds (least recently used entries are evicted first). */
export const DEFAULT_MEMORY_LIMITS = {
  conversations: 10_000,
  assignments: 100_000,
  claims: 100_000,
  counterKeys: 1_000,
} as const;

/** Bytes of conversation history the memory store holds at most (`SWITCHBOARD_MEMORY_LIMIT`). */
export const DEFAULT_MEMORY_LIMIT_BYTES = 256 * 1024 * 1024;

/** Clamps a caller's `maxLength` to [0, MAX_HISTORY_LENGTH]. */
export function clampHistoryLength(maxLength: number): number {
  if (!Number.isFinite(maxLength) || maxLength <= 0) return 0;
  return Math.min(Math.floor(maxLength), MAX_HISTORY_LENGTH);
}

/** TTLs are whole seconds ≥ 1 (Redis rejects 0 and fractions). */
export function ttlSeconds(value: number): number {
  return Math.max(1, Math.ceil(value));
}
