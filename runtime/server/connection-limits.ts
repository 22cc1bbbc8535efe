/**
 * How long a client may take and how many sockets it may hold. Without a body deadline an
 * unfinished body (short of its Content-Length, a chunked body that never ends, an
 * `Expect: 100-continue` that sends nothing) keeps its socket forever, and enough of them
 * use up the process's file descriptors, so that every new request and the webhook and
 * Redis connections fail. These settings bound both.
 */
import type { Server } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { createLogThrottle } from '../core/log-throttle.js';

/** A request's body must be complete within this long of its start (the 408 comes no later). */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Sockets a replica keeps open at most (`SWITCHBOARD_MAX_CONNECTIONS`). */
export const DEFAULT_MAX_CONNECTIONS = 800;

export const MAX_CONNECTIONS_ENV = 'SWITCHBOARD_MAX_CONNECTIONS';

/**
 * Idle keep-alive sockets are closed after 65 s: longer than the 60 s idle timeout of common
 * load balancers, so the balancer closes first and never sends on a socket being closed.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Fastify and Node server options for a body deadline of `bodyTimeoutMs`. Node checks its
 * deadlines every `connectionsCheckingInterval` (30 s by default), so the check runs often
 * and the deadline is shortened by one interval: the 408 arrives by `bodyTimeoutMs`.
 */
export function timeoutOptions(bodyTimeoutMs: number): { requestTimeout: number; keepAliveTimeout: number; http: { requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number } } {
  const interval = Math.min(1000, Math.max(10, Math.floor(bodyTimeoutMs / 10)));
  const requestTimeout = Math.max(1, bodyTimeoutMs - interval);
  return {
    requestTimeout,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    http: { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: interval },
  };
}

/** The cap from `env` (unset or empty: the default); throws an Error naming the variable when invalid. */
export function maxConnectionsFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env[MAX_CONNECTIONS_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_CONNECTIONS;
  if (!/^\d{1,7}$/.test(raw.trim()) || Number(raw) < 1) {
    throw new Error(`${MAX_CONNECTIONS_ENV} must be a whole number of connections from 1, got "${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}"`);
  }
  return Number(raw);
}

/**
 * Caps the server's open sockets at `max`: Node closes a connection over the cap at once.
 * Each drop is logged, at most once per 10 s with the number dropped meanwhile.
 */
export function capConnections(server: Server, max: number, log: FastifyBaseLogger): void {
  server.maxConnections = max;
  const throttle = createLogThrottle();
  server.on('drop', () => {
    throttle.hit('drop', (suppressed) => log.warn({ maxConnections: max, droppedSinceLastLog: suppressed }, `connection refused: ${MAX_CONNECTIONS_ENV} (${max}) open connections reached`));
  });
}
