/**
 * `SWITCHBOARD_MAX_IN_FLIGHT`: how many channel messages one replica holds at once (accepted
 * and not yet finished, including those waiting behind an earlier message of their
 * conversation). Each costs memory while its webhook is thinking, so a burst of slow
 * conversations would otherwise grow the process until the kernel kills it and every
 * message in it is lost. Over the limit the gate refuses new messages with a 503 and a
 * `Retry-After`, which senders and both platforms retry.
 */
import type { ChannelResponse } from '../channels/channel.js';
import { errorResponse } from '../core/errors.js';
import { createLogThrottle } from '../core/log-throttle.js';

/** The env variable's name, for messages and docs. */
export const MAX_IN_FLIGHT_ENV = 'SWITCHBOARD_MAX_IN_FLIGHT';

/**
 * Default limit. Each message waiting on its webhook holds about 20 KB of the process (its
 * sockets, request and webhook call; about 30 KB of RSS under load, with the collector's
 * headroom), so 10,000 bound roughly 200–300 MB above the idle process; in reply mode each
 * also holds two file descriptors (caller and webhook).
 */
export const DEFAULT_MAX_IN_FLIGHT = 10_000;

/** Seconds a refused sender is asked to wait (slow webhooks free slots within seconds). */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

/** The limit from `env` (unset or empty: the default); throws an Error naming the variable when invalid. */
export function maxInFlightFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env[MAX_IN_FLIGHT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_IN_FLIGHT;
  const value = raw.trim();
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new Error(`${MAX_IN_FLIGHT_ENV} must be a whole number of messages (at least 1), got "${shown}"`);
  }
  return Number(value);
}

/**
 * Whether to log a refusal now: at most one line per `everyMs`, carrying how many were
 * refused since the last one, so an overload does not turn into a log flood.
 */
export function createRefusalLog(everyMs = 10_000, now: () => number = Date.now): () => number | undefined {
  const throttle = createLogThrottle({ windowMs: everyMs, now });
  return () => {
    let refused: number | undefined;
    throttle.hit('refused', (held) => {
      refused = held + 1;
    });
    return refused;
  };
}

/** The 503 the gate answers when `inFlight` messages already fill the limit, else undefined. */
export function refuseOverLimit(inFlight: number, max: number): ChannelResponse | undefined {
  if (inFlight < max) return undefined;
  const res = errorResponse('SWB_ERR_HTTP_UNAVAILABLE', `this replica already holds ${max} messages in flight; retry later`);
  return { ...res, headers: { 'retry-after': String(IN_FLIGHT_RETRY_AFTER_SECONDS) } };
}
