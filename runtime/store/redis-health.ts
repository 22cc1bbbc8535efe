/**
 * The Redis store's health state machine: `down` (with the last error) from the start until
 * connected, `down` again on a connection error or a failed command, `up` once a command or
 * the connection succeeds. Each change is logged once, not once per failed command or
 * reconnect attempt; while connected but failing, a 1 s ping probe lets health recover
 * without traffic.
 */
import { errorMessage } from '../core/error-message.js';
import { SwitchboardError } from '../core/errors.js';
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

/** Watches `redis` (its `ready`, `error` and `close` events); `where` names it in log lines. */
export function watchRedisHealth(redis: RedisClient, where: string, log: StoreLogger | undefined): RedisHealth {
  let state: StoreHealth['state'] = 'down';
  let lastError: string | undefined = 'connecting';
  let everUp = false;
  let downLogged = false;
  let closed = false;
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
  // Before the first connection a close says nothing new (a Cluster closes its first
  // connection while it discovers the nodes); a failure to connect arrives as 'error'.
  redis.on('close', () => {
    if (!closed && everUp) markDown(lastError && state === 'down' ? lastError : 'connection closed');
  });

  return {
    markUp,
    fail(err) {
      const message = errorMessage(err);
      // A reply error (WRONGTYPE…) means Redis answered: it is not an outage.
      if (!(err instanceof Error && err.name === 'ReplyError')) markDown(message);
      return new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', `history store unavailable: ${message}`, { cause: err });
    },
    health: () => (state === 'up' ? { kind: 'redis', state } : { kind: 'redis', state, ...(lastError ? { lastError } : {}) }),
    lastError: () => lastError,
    close() {
      closed = true;
      if (probe) clearInterval(probe);
    },
  };
}
