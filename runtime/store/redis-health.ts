/**
 * The Redis store's health state machine: `down` (with the last error) from the start until
 * connected, `down` again on a connection error or a failed command, `up` once a command or
 * the connection succeeds. Each change is logged once, not once per failed command or
 * reconnect attempt; while connected but failing, a 1 s ping probe lets health recover
 * without traffic. A Redis that answers with errors (`OOM` at maxmemory, `READONLY`…) is
 * `degraded` with that error until no command failed so for 10 s; the same error is logged
 * at most once per 10 s, with how many were held back.
 */
import { errorMessage } from '../core/error-message.js';
import { SwitchboardError } from '../core/errors.js';
import { createLogThrottle } from '../core/log-throttle.js';
import type { RedisClient } from './redis-connection.js';
import type { StoreHealth } from './store.js';

/** The subset of a pino logger the store uses. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RedisHealth {
  markUp(): void;
  /** Turns a failed command's error into the coded error callers get (and marks down on an outage). */
  fail(err: unknown): SwitchboardError;
  health(): StoreHealth;
  lastError(): string | undefined;
  /** Stops probing and ignores later connection events. */
  close(): void;
}

/** How long a Redis error answer keeps the store `degraded`, and the log window for repeats. */
export const DEGRADED_WINDOW_MS = 10_000;

/** Watches `redis` (its `ready`, `error` and `close` events); `where` names it in log lines; `now` is injectable for tests. */
export function watchRedisHealth(redis: RedisClient, where: string, log: StoreLogger | undefined, now: () => number = Date.now): RedisHealth {
  let state: StoreHealth['state'] = 'down';
  let lastReplyErrorAt = -Infinity;
  const newThrottle = () => createLogThrottle({ windowMs: DEGRADED_WINDOW_MS, now });
  // Renewed on recovery: after it, the next error is news again and logged at once.
  let errorLog = newThrottle();
  let lastError: string | undefined = 'connecting';
  let everUp = false;
  let downLogged = false;
  let closed = false;
  let probe: NodeJS.Timeout | undefined;

  const markUp = (): void => {
    if (probe) clearInterval(probe);
    probe = undefined;
    if (state === 'up') return;
    // Reads may succeed while writes are refused (OOM): stay degraded until errors stop.
    if (state === 'degraded' && now() - lastReplyErrorAt < DEGRADED_WINDOW_MS) return;
    state = 'up';
    downLogged = false;
    lastError = undefined;
    log?.info({ store: 'redis', redis: where }, everUp ? 'history store is back up' : 'history store connected');
    errorLog = newThrottle();
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

  const markDegraded = (message: string): void => {
    lastReplyErrorAt = now();
    if (state !== 'down') state = 'degraded';
    lastError = message;
    errorLog.hit(message, (suppressed) => {
      log?.warn({ store: 'redis', redis: where, err: message, ...(suppressed > 0 ? { repeated: suppressed } : {}) }, 'history store answers with errors: answering without history where it fails');
    });
  };

  redis.on('ready', markUp);
  // An 'error' listener is required (ioredis re-emits every failed reconnect); log via markDown only.
  redis.on('error', (err: Error) => {
    if (!closed) markDown(err.message);
  });
  // Before the first connection a close says nothing new (a Cluster closes its first
  // connection while it discovers the nodes); a failure to connect arrives as 'error'.
  redis.on('close', () => {
    if (!closed && everUp) markDown(lastError && state === 'down' ? lastError : 'connection closed');
  });

  return {
    markUp,
    fail(err) {
      const message = errorMessage(err);
      // A reply error (OOM, WRONGTYPE…) means Redis answered: degraded, not an outage.
      if (err instanceof Error && err.name === 'ReplyError') markDegraded(message);
      else markDown(message);
      return new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', `history store unavailable: ${message}`, { cause: err });
    },
    health: () => {
      if (state === 'degraded' && now() - lastReplyErrorAt >= DEGRADED_WINDOW_MS) markUp();
      return state === 'up' ? { kind: 'redis', state } : { kind: 'redis', state, ...(lastError ? { lastError } : {}) };
    },
    lastError: () => lastError,
    close() {
      closed = true;
      if (probe) clearInterval(probe);
    },
  };
}
