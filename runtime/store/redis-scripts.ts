/**
 * The Lua scripts of one turn. Each touches exactly one key, so it is single-slot on a Redis
 * Cluster whatever the key names are (no `CROSSSLOT` possible): `swbAssign` reads-or-claims
 * the sticky assignment atomically (two replicas racing on a new user both read the
 * winner); `swbEndTurn` appends, trims and refreshes the TTL of the history. The history
 * read is a plain `LRANGE` sent next to `swbAssign`, so a turn still costs one round trip
 * each way: the history (per conversation) and the assignment (per user or conversation)
 * may live on different cluster nodes, and nothing needs them in one atomic step.
 */
import type { RedisClient } from './redis-connection.js';

/**
 * KEYS[1] assignment; ARGV candidate, ttl. Returns { 1 when this call recorded the
 * candidate else 0, the recorded arm }. An existing arm gets its TTL refreshed (sliding).
 */
const ASSIGN_LUA = `
local ttl = tonumber(ARGV[2])
if redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl, 'NX') then return { 1, ARGV[1] } end
local arm = redis.call('GET', KEYS[1])
redis.call('EXPIRE', KEYS[1], ttl)
return { 0, arm }
`;

/** KEYS[1] history list; ARGV max length, ttl, messages…: append, trim to the last `max`, refresh the TTL. */
const END_TURN_LUA = `
redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

/**
 * KEYS[1] a per-user index set; ARGV ttl, members…: adds the members and extends the TTL to
 * at least `ttl` (an index shared by bots with different `historyTtl` keeps the longest).
 */
const USER_INDEX_LUA = `
redis.call('SADD', KEYS[1], unpack(ARGV, 2))
local want = tonumber(ARGV[1])
if redis.call('TTL', KEYS[1]) < want then redis.call('EXPIRE', KEYS[1], want) end
return 1
`;

/** The scripts as commands on the client (ioredis sends EVALSHA, falling back to EVAL on NOSCRIPT, per node). */
export interface TurnScripts {
  swbAssign(assignmentKey: string, candidate: string, ttl: number): Promise<[0 | 1, string | null]>;
  swbEndTurn(historyKey: string, max: number, ttl: number, ...messages: string[]): Promise<number>;
  swbUserIndex(indexKey: string, ttl: number, ...members: string[]): Promise<number>;
}

/** Defines the turn scripts on `redis` and returns it typed with them. */
export function defineTurnScripts<C extends RedisClient>(redis: C): C & TurnScripts {
  redis.defineCommand('swbAssign', { numberOfKeys: 1, lua: ASSIGN_LUA });
  redis.defineCommand('swbEndTurn', { numberOfKeys: 1, lua: END_TURN_LUA });
  redis.defineCommand('swbUserIndex', { numberOfKeys: 1, lua: USER_INDEX_LUA });
  return redis as C & TurnScripts;
}
