/**
 * The Lua scripts of the durable queue. Each runs on one partition: every key it touches
 * starts with the partition's base `swb:{dq:<n>}:` (one hash tag, so one Cluster slot).
 * Keys of one partition:
 *
 * - `c:<conversation>` LIST of job entries (JSON `{id, at, job}`), oldest first: the
 *   conversation's own queue. Only its head is ever being processed. An entry starts with
 *   `{"id":"<uuid>"`, so scripts read the id at a fixed place instead of decoding the JSON.
 * - `lease` ZSET conversation → lease expiry (ms, Redis clock): conversations being worked on.
 * - `owner` HASH conversation → token of the consumer holding the lease.
 * - `ready` ZSET conversation → when it became ready: work nobody holds (released on shutdown).
 * - `tries` HASH conversation → failed attempts of its head job (lease expired or processing threw).
 * - `r:<jobId>` STRING: the webhook reply recorded before delivery (24 h).
 * - `seen:<claim>` STRING: the platform delivery id, claimed atomically with the write.
 * - `w:<channel>` ZSET jobId → accepted at (ms): queue depth and oldest waiting age per channel.
 * - `dead` LIST of dead-lettered entries, newest first, capped.
 *
 * Times come from the Redis clock (`TIME`), so replicas with skewed clocks agree on leases.
 */
import type { RedisClient } from '../store/redis-connection.js';

const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function idOf(entry) return string.sub(entry, 8, 43) end`;

/**
 * Claims the delivery id (when given) and appends the entry in one step; an idle
 * conversation is leased to the caller at once. KEYS: list, lease, owner, tries, seen, wait.
 * ARGV: entry, jobId, conversation, token, leaseMs, claimTtl (0: no claim).
 * Returns 0 duplicate, 1 queued behind earlier work, 2 queued and leased to the caller.
 */
const ENQUEUE = `${NOW}
if ARGV[6] ~= '0' then
  if not redis.call('SET', KEYS[5], '1', 'NX', 'EX', ARGV[6]) then return 0 end
end
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[6], now, ARGV[2])
if n == 1 and not redis.call('ZSCORE', KEYS[2], ARGV[3]) then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[3])
  redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
  redis.call('HDEL', KEYS[4], ARGV[3])
  return 2
end
return 1`;

/**
 * Leases up to ARGV[4] conversations to the caller: first those whose lease expired
 * (taken over; their head job's failed attempts + 1), then ready ones. A head job that
 * reached ARGV[3] failed attempts is moved to the dead letters instead.
 * KEYS: lease, owner, ready, tries, dead. ARGV: token, leaseMs, maxAttempts, limit, base.
 * Returns a flat array: kind ('t' taken over | 'r' ready | 'd' dead-lettered), conversation,
 * entry, recorded reply (or '').
 */
const ACQUIRE = `${NOW}
local token, leaseMs, maxTries, limit, base = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local out = {}
local taken = 0
local function take(conv, kind)
  local list = base .. 'c:' .. conv
  local head = redis.call('LINDEX', list, 0)
  while head do
    local tries = tonumber(redis.call('HGET', KEYS[4], conv) or '0')
    if tries < maxTries then break end
    redis.call('LPOP', list)
    local e = cjson.decode(head)
    redis.call('ZREM', base .. 'w:' .. e.job.channel, e.id)
    redis.call('DEL', base .. 'r:' .. e.id)
    redis.call('LPUSH', KEYS[5], cjson.encode({ at = now, attempts = tries, entry = e }))
    redis.call('LTRIM', KEYS[5], 0, 999)
    redis.call('HDEL', KEYS[4], conv)
    table.insert(out, 'd'); table.insert(out, conv); table.insert(out, head); table.insert(out, '')
    head = redis.call('LINDEX', list, 0)
  end
  if not head then
    redis.call('ZREM', KEYS[1], conv)
    redis.call('HDEL', KEYS[2], conv)
    return
  end
  redis.call('ZADD', KEYS[1], now + leaseMs, conv)
  redis.call('HSET', KEYS[2], conv, token)
  local id = idOf(head)
  local reply = redis.call('GET', base .. 'r:' .. id) or ''
  table.insert(out, kind); table.insert(out, conv); table.insert(out, head); table.insert(out, reply)
  taken = taken + 1
end
if limit > 0 then
  for _, conv in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)) do
    redis.call('HINCRBY', KEYS[4], conv, 1)
    take(conv, 't')
  end
end
if limit - taken > 0 then
  for _, conv in ipairs(redis.call('ZRANGE', KEYS[3], 0, limit - taken - 1)) do
    redis.call('ZREM', KEYS[3], conv)
    take(conv, 'r')
  end
end
return out`;

/**
 * Records that the head job was delivered: removes it (only while the caller still holds
 * the lease). With ARGV[5] = '1' the next job of the conversation stays leased to the
 * caller; otherwise it becomes ready for anyone. KEYS: list, lease, owner, tries, wait,
 * reply, ready. ARGV: conversation, token, jobId, leaseMs, keep, base.
 * Returns {-1} lease lost, {0} nothing next, {1, entry, reply} next leased to caller, {2} next released.
 */
const ACK = `${NOW}
local conv = ARGV[1]
if redis.call('HGET', KEYS[3], conv) ~= ARGV[2] then return { -1 } end
local head = redis.call('LINDEX', KEYS[1], 0)
if head and idOf(head) == ARGV[3] then redis.call('LPOP', KEYS[1]) end
redis.call('ZREM', KEYS[5], ARGV[3])
redis.call('DEL', KEYS[6])
redis.call('HDEL', KEYS[4], conv)
local nxt = redis.call('LINDEX', KEYS[1], 0)
if not nxt then
  redis.call('ZREM', KEYS[2], conv)
  redis.call('HDEL', KEYS[3], conv)
  return { 0 }
end
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), conv)
  local reply = redis.call('GET', ARGV[6] .. 'r:' .. idOf(nxt)) or ''
  return { 1, nxt, reply }
end
redis.call('ZREM', KEYS[2], conv)
redis.call('HDEL', KEYS[3], conv)
redis.call('ZADD', KEYS[7], 0, conv)
return { 2 }`;

/**
 * Renews (ARGV[3] = 'renew'), gives up after a failed attempt ('fail': the lease expires
 * now, so the next acquire counts an attempt and retries or dead-letters it) or releases
 * without counting an attempt ('release': ready for anyone at once), while the caller holds
 * the lease. KEYS: lease, owner, ready. ARGV: conversation, token, action, leaseMs.
 * Returns 1 when the caller held the lease.
 */
const LEASE = `${NOW}
local conv = ARGV[1]
if redis.call('HGET', KEYS[2], conv) ~= ARGV[2] then return 0 end
if ARGV[3] == 'renew' then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[4]), conv)
elseif ARGV[3] == 'fail' then
  redis.call('ZADD', KEYS[1], 'XX', now - 1, conv)
else
  redis.call('ZREM', KEYS[1], conv)
  redis.call('HDEL', KEYS[2], conv)
  redis.call('ZADD', KEYS[3], 0, conv)
end
return 1`;

/** Queue depth and oldest waiting time of one channel in one partition. KEYS: wait. Returns {count, age ms}. */
const DEPTH = `${NOW}
local n = redis.call('ZCARD', KEYS[1])
if n == 0 then return { 0, 0 } end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { n, now - tonumber(first[2]) }`;

export interface DeliveryCommands {
  swbDqEnqueue(numKeys: 6, list: string, lease: string, owner: string, tries: string, seen: string, wait: string, entry: string, jobId: string, conv: string, token: string, leaseMs: number, claimTtl: number): Promise<number>;
  swbDqAcquire(numKeys: 5, lease: string, owner: string, ready: string, tries: string, dead: string, token: string, leaseMs: number, maxAttempts: number, limit: number, base: string): Promise<string[]>;
  swbDqAck(numKeys: 7, list: string, lease: string, owner: string, tries: string, wait: string, reply: string, ready: string, conv: string, token: string, jobId: string, leaseMs: number, keep: string, base: string): Promise<[number, string?, string?]>;
  swbDqLease(numKeys: 3, lease: string, owner: string, ready: string, conv: string, token: string, action: 'renew' | 'fail' | 'release', leaseMs: number): Promise<number>;
  swbDqDepth(numKeys: 1, wait: string): Promise<[number, number]>;
}

export type DeliveryRedis = RedisClient & DeliveryCommands;

/** Defines the delivery scripts on a client (EVALSHA with the EVAL fallback, ioredis-style). */
export function defineDeliveryScripts(redis: RedisClient): DeliveryRedis {
  redis.defineCommand('swbDqEnqueue', { lua: ENQUEUE });
  redis.defineCommand('swbDqAcquire', { lua: ACQUIRE });
  redis.defineCommand('swbDqAck', { lua: ACK });
  redis.defineCommand('swbDqLease', { lua: LEASE });
  redis.defineCommand('swbDqDepth', { lua: DEPTH });
  return redis as DeliveryRedis;
}
