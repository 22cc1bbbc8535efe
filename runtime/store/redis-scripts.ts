/**
 * The Lua scripts of one turn, so each side of a turn is one Redis command: `swbBeginTurn`
 * reads the history and reads-or-claims the sticky assignment atomically (two replicas
 * racing on a new user both read the winner); `swbEndTurn` appends, trims and refreshes the
 * TTL of the history.
 */
import type { Redis } from 'ioredis';

/**
 * KEYS[1] history list, KEYS[2] assignment (optional); ARGV limit, candidate, ttl.
 * Returns { history (last `limit` items), 1 when this call recorded the candidate else 0,
 * the recorded arm }. An existing arm gets its TTL refreshed (sliding).
 */
const BEGIN_TURN_LUA = `
local limit = tonumber(ARGV[1])
local history = {}
if limit > 0 then history = redis.call('LRANGE', KEYS[1], -limit, -1) end
if #KEYS < 2 then return { history } end
local ttl = tonumber(ARGV[3])
if redis.call('SET', KEYS[2], ARGV[2], 'EX', ttl, 'NX') then return { history, 1, ARGV[2] } end
local arm = redis.call('GET', KEYS[2])
redis.call('EXPIRE', KEYS[2], ttl)
return { history, 0, arm }
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

/** The scripts as commands on the client (ioredis sends EVALSHA, falling back to EVAL). */
export interface TurnScripts {
  swbBeginTurn(numKeys: 1, historyKey: string, limit: number): Promise<[string[]]>;
  swbBeginTurn(numKeys: 2, historyKey: string, assignmentKey: string, limit: number, candidate: string, ttl: number): Promise<[string[], 0 | 1, string | null]>;
  swbEndTurn(historyKey: string, max: number, ttl: number, ...messages: string[]): Promise<number>;
  swbUserIndex(indexKey: string, ttl: number, ...members: string[]): Promise<number>;
}

/** `swbEndTurn` inside a pipeline. */
export interface TurnPipeline {
  swbEndTurn(historyKey: string, max: number, ttl: number, ...messages: string[]): TurnPipeline;
  swbUserIndex(indexKey: string, ttl: number, ...members: string[]): TurnPipeline;
}

/** Defines the turn scripts on `redis` and returns it typed with them. */
export function defineTurnScripts(redis: Redis): Redis & TurnScripts {
  redis.defineCommand('swbBeginTurn', { lua: BEGIN_TURN_LUA });
  redis.defineCommand('swbEndTurn', { numberOfKeys: 1, lua: END_TURN_LUA });
  redis.defineCommand('swbUserIndex', { numberOfKeys: 1, lua: USER_INDEX_LUA });
  return redis as Redis & TurnScripts;
}
