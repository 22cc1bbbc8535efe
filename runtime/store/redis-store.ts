/**
 * Redis store (ioredis), shared by every runtime replica.
 *
 * One message costs two round trips of one command each: `beginTurn` is a Lua script doing
 * LRANGE (history) and the sticky assignment's `SET NX EX` / `GET` + `EXPIRE` (atomic
 * claim: two replicas racing on a new user both read the winner), and `endTurn` a script
 * doing RPUSH + LTRIM + EXPIRE, pipelined with pending A/B counters (HINCRBY) when some are
 * due. One EVALSHA instead of a pipeline of four commands halves the client's CPU per
 * message (ioredis builds and parses every command). Under load, the commands of many
 * messages started in one event-loop turn share one socket write (without it, one write
 * syscall per command was ~12 µs of CPU per message, the largest single cost in the
 * profile; with it ~5 µs; the wait is at most the rest of the current loop turn). An outage cannot hang a request or grow memory: commands time out
 * (`commandTimeout`), nothing is queued while disconnected (`enableOfflineQueue: false`),
 * reconnects back off up to a cap and never stop, and every failure rejects with
 * `SWB_ERR_STORE_UNAVAILABLE` so the caller degrades. `health()` says `down` (with the last
 * error) until a command or the connection succeeds again; state changes are logged once.
 */
import type { Socket as NetStream } from 'node:net';
import { Redis, type ChainableCommander } from 'ioredis';
import type { StoredMessage } from '../core/message.js';
import { SwitchboardError } from '../core/errors.js';
import {
  clampHistoryLength,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_COUNTER_TTL_SECONDS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  ttlSeconds as wholeSeconds,
} from './defaults.js';
import type { BeginTurnQuery, BeginTurnResult, CounterIncrement, CounterSource, EndTurnWrite, Store, StoreHealth } from './store.js';

/** The subset of a pino logger the store uses. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RedisStoreOptions {
  /** Prefix of every key (default `swb:`). */
  keyPrefix?: string;
  /** A command (or pipeline) rejects after this long (default 500 ms). */
  commandTimeoutMs?: number;
  /** Gives up one connection attempt after this long (default 2 s). */
  connectTimeoutMs?: number;
  /** Reconnect backoff cap (default 2 s; the backoff starts at 50 ms and doubles). */
  maxReconnectDelayMs?: number;
  /** A/B counter hashes expire this long after their last increment (default 90 days). */
  counterTtlSeconds?: number;
  log?: StoreLogger;
}

export interface RedisStore extends Store {
  readonly kind: 'redis';
  incrementCounters(increments: CounterIncrement[]): Promise<void>;
  readCounters(key: string): Promise<Record<string, number>>;
  setCounterSource(source: CounterSource | undefined): void;
  /** Resolves once connected (or rejects after `timeoutMs`); commands before that reject. */
  ready(timeoutMs?: number): Promise<void>;
}

/** Creates the Redis store; it connects in the background (see `ready()`). */
export function createRedisStore(url: string, opts: RedisStoreOptions = {}): RedisStore {
  const maxDelay = opts.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
  const commandTimeout = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const counterTtl = wholeSeconds(opts.counterTtlSeconds ?? DEFAULT_COUNTER_TTL_SECONDS);
  const log = opts.log;
  const where = redactUrl(url);
  const redis = new Redis(url, {
    keyPrefix: opts.keyPrefix ?? DEFAULT_KEY_PREFIX,
    commandTimeout,
    // A hung server (socket open, no replies) would keep timed-out commands queued: drop the
    // socket once replies are overdue, which rejects them and reconnects.
    socketTimeout: Math.max(2 * commandTimeout, 1000),
    connectTimeout: opts.connectTimeoutMs ?? 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Never give up: the store must come back by itself once Redis does.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 16), maxDelay),
    lazyConnect: false,
  });

  redis.defineCommand('swbBeginTurn', { lua: BEGIN_TURN_LUA });
  redis.defineCommand('swbEndTurn', { numberOfKeys: 1, lua: END_TURN_LUA });
  const scripts = redis as unknown as TurnScripts;

  let state: StoreHealth['state'] = 'down';
  let lastError: string | undefined = 'connecting';
  let everUp = false;
  let downLogged = false;
  let closed = false;
  let counterSource: CounterSource | undefined;

  let probe: NodeJS.Timeout | undefined;
  const markUp = (): void => {
    if (probe) clearInterval(probe);
    probe = undefined;
    if (state === 'up') return;
    state = 'up';
    downLogged = false;
    lastError = undefined;
    log?.info({ store: 'redis', redis: where }, everUp ? 'history store is back up' : 'history store connected');
    everUp = true;
  };
  const markDown = (message: string): void => {
    lastError = message;
    // Connected but a command failed (e.g. timed out): probe, so health recovers without traffic.
    if (!probe && !closed && redis.status === 'ready') {
      probe = setInterval(() => {
        if (redis.status === 'ready') redis.ping().then(markUp, () => {});
      }, 1000);
      probe.unref();
    }
    // Initially down ('connecting') but not yet announced: the first real error is logged.
    if (state === 'down' && downLogged) return;
    state = 'down';
    downLogged = true;
    log?.warn({ store: 'redis', redis: where, err: message }, 'history store is down: answering without history until it is back');
  };

  redis.on('ready', markUp);
  // An 'error' listener is required (ioredis re-emits every failed reconnect); log via markDown only.
  redis.on('error', (err: Error) => {
    if (!closed) markDown(err.message);
  });
  redis.on('close', () => {
    if (!closed) markDown(lastError && state === 'down' ? lastError : 'connection closed');
  });

  // Pipelines started by the I/O callbacks of one event-loop turn go out in one writev:
  // the socket is corked on the first and uncorked in the check phase of the same turn.
  let corked: NetStream | undefined;
  const uncork = (): void => {
    const stream = corked;
    corked = undefined;
    stream?.uncork();
  };
  function corkUntilImmediate(): void {
    if (corked || redis.status !== 'ready') return;
    corked = redis.stream;
    corked.cork();
    setImmediate(uncork);
  }

  /** Runs a pipeline; any failed command rejects the whole call with a coded error. */
  async function run(pipeline: ChainableCommander): Promise<unknown[]> {
    let results: [Error | null, unknown][] | null;
    try {
      corkUntilImmediate();
      results = await pipeline.exec();
    } catch (err) {
      throw fail(err);
    }
    if (!results) throw fail(new Error('pipeline was discarded'));
    const out: unknown[] = [];
    for (const [err, value] of results) {
      if (err) throw fail(err);
      out.push(value);
    }
    if (redis.status === 'ready') markUp();
    return out;
  }

  /** Sends one command (corked first, so it shares the turn's write) and maps failures. */
  async function one<T>(send: () => Promise<T>): Promise<T> {
    corkUntilImmediate();
    try {
      const value = await send();
      if (redis.status === 'ready') markUp();
      return value;
    } catch (err) {
      throw fail(err);
    }
  }

  function fail(err: unknown): SwitchboardError {
    const message = err instanceof Error ? err.message : String(err);
    // A reply error (WRONGTYPE…) means Redis answered: it is not an outage.
    if (!(err instanceof Error && err.name === 'ReplyError')) markDown(message);
    return new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', `history store unavailable: ${message}`, { cause: err });
  }

  function addCounters(p: ChainableCommander, increments: CounterIncrement[]): void {
    const keys = new Map<string, number>();
    for (const { key, field, by, ttlSeconds } of increments) {
      p.hincrby(key, field, by);
      keys.set(key, ttlSeconds === undefined ? counterTtl : wholeSeconds(ttlSeconds));
    }
    for (const [key, ttl] of keys) p.expire(key, ttl);
  }

  return {
    kind: 'redis',

    async beginTurn(query: BeginTurnQuery): Promise<BeginTurnResult> {
      const limit = Math.max(0, Math.floor(query.limit));
      const a = query.assignment;
      const res = a
        ? await one(() => scripts.swbBeginTurn(2, query.historyKey, a.key, limit, a.candidate, wholeSeconds(a.ttlSeconds)))
        : await one(() => scripts.swbBeginTurn(1, query.historyKey, limit));
      const history = limit > 0 ? parseHistory(res[0]) : [];
      if (!a) return { history, assignment: null, assigned: false };
      return { history, assignment: res[2] ?? a.candidate, assigned: res[1] === 1 };
    },

    async setAssignment(key, value, ttlSeconds) {
      await one(() => redis.set(key, value, 'EX', wholeSeconds(ttlSeconds)));
    },

    async endTurn(write: EndTurnWrite): Promise<void> {
      const max = clampHistoryLength(write.maxLength);
      const pending = counterSource?.drain() ?? [];
      const messages = max === 0 ? [] : write.messages.map((m) => JSON.stringify(m));
      if (pending.length === 0) {
        // The common case: one command.
        if (max === 0) await one(() => redis.del(write.historyKey));
        else if (messages.length > 0) await one(() => scripts.swbEndTurn(write.historyKey, max, wholeSeconds(write.ttlSeconds), ...messages));
        return;
      }
      const p = redis.pipeline() as ChainableCommander & TurnPipeline;
      if (max === 0) p.del(write.historyKey);
      else if (messages.length > 0) p.swbEndTurn(write.historyKey, max, wholeSeconds(write.ttlSeconds), ...messages);
      addCounters(p, pending);
      try {
        await run(p);
      } catch (err) {
        counterSource?.restore(pending);
        throw err;
      }
    },

    async claimOnce(key, ttlSeconds) {
      return (await one(() => redis.set(key, '1', 'EX', wholeSeconds(ttlSeconds), 'NX'))) === 'OK';
    },

    async releaseClaim(key) {
      await one(() => redis.del(key));
    },

    health(): StoreHealth {
      return state === 'up' ? { kind: 'redis', state } : { kind: 'redis', state, ...(lastError ? { lastError } : {}) };
    },

    async close() {
      if (closed) return;
      closed = true;
      if (probe) clearInterval(probe);
      try {
        await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
      } catch {
        // already disconnected
      }
      redis.disconnect();
    },

    async incrementCounters(increments) {
      if (increments.length === 0) return;
      const p = redis.pipeline();
      addCounters(p, increments);
      await run(p);
    },

    async readCounters(key) {
      const hash = await one(() => redis.hgetall(key));
      const out: Record<string, number> = {};
      for (const [field, value] of Object.entries(hash)) out[field] = Number(value);
      return out;
    },

    setCounterSource(source) {
      counterSource = source;
    },

    ready(timeoutMs = 5000) {
      if (redis.status === 'ready') return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          redis.off('ready', onReady);
          reject(new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', `history store unavailable: not connected after ${timeoutMs} ms (${lastError ?? 'unknown'})`));
        }, timeoutMs);
        const onReady = (): void => {
          clearTimeout(timer);
          resolve();
        };
        redis.once('ready', onReady);
      });
    },
  };
}

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

interface TurnScripts {
  swbBeginTurn(numKeys: 1, historyKey: string, limit: number): Promise<[string[]]>;
  swbBeginTurn(numKeys: 2, historyKey: string, assignmentKey: string, limit: number, candidate: string, ttl: number): Promise<[string[], 0 | 1, string | null]>;
  swbEndTurn(historyKey: string, max: number, ttl: number, ...messages: string[]): Promise<number>;
}

interface TurnPipeline {
  swbEndTurn(historyKey: string, max: number, ttl: number, ...messages: string[]): TurnPipeline;
}

function parseHistory(raw: string[]): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const item of raw) {
    try {
      out.push(JSON.parse(item) as StoredMessage);
    } catch {
      // A foreign or corrupt entry is skipped rather than failing the whole conversation.
    }
  }
  return out;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable url)';
  }
}
