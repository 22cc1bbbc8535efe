/**
 * How long a client may take and how many sockets it may hold. Without a body deadline an
 * unfinished body (short of its Content-Length, a chunked body that never ends, an
 * `Expect: 100-continue` that sends nothing) keeps its socket forever, and enough of them
 * use up the process's file descriptors, so that every new request and the webhook and
 * Redis connections fail. These settings bound both.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { createLogThrottle } from '../core/log-throttle.js';

/** A request's body must be complete within this long of its start (the 408 comes no later). */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Sockets a replica keeps open at most (`SWITCHBOARD_MAX_CONNECTIONS`) when its open-files limit is unknown. */
export const DEFAULT_MAX_CONNECTIONS = 800;

/** The default cap never goes above this (the default `SWITCHBOARD_MAX_IN_FLIGHT`), whatever the open-files limit. */
export const MOST_DEFAULT_CONNECTIONS = 10_000;

/** File descriptors kept for the runtime itself: Redis, channel APIs, config files, the worker, logs. */
export const RESERVED_FILE_DESCRIPTORS = 256;

/**
 * The process's open-files limit (soft), from /proc on Linux; undefined elsewhere or when
 * unlimited. Node has no API for getrlimit.
 */
export function openFilesLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  let text: string;
  try {
    text = read();
  } catch {
    return undefined;
  }
  const m = /^Max open files\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * The default cap for an open-files limit. A caller waiting on the HTTP channel holds two
 * descriptors (its own connection and the webhook's), so half of what is left after the
 * reserve: with the common limit of 1024 that is 384 — the old fixed 800 let 800 waiting
 * callers and their 800 webhook calls run the process out of descriptors.
 */
export function defaultMaxConnections(openFiles: number | undefined): number {
  if (openFiles === undefined) return DEFAULT_MAX_CONNECTIONS;
  return Math.min(MOST_DEFAULT_CONNECTIONS, Math.max(64, connectionsWithin(openFiles)));
}

/** Waiting HTTP callers an open-files limit can hold: two descriptors each, after the reserve. */
export function connectionsWithin(openFiles: number): number {
  return Math.floor((openFiles - RESERVED_FILE_DESCRIPTORS) / 2);
}

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

/**
 * The cap from `env` (unset or empty: derived from the open-files limit, see
 * `defaultMaxConnections`); throws an Error naming the variable when invalid.
 */
export function maxConnectionsFromEnv(env: NodeJS.ProcessEnv, openFiles: number | undefined = openFilesLimit()): number {
  const raw = env[MAX_CONNECTIONS_ENV];
  if (raw === undefined || raw.trim() === '') return defaultMaxConnections(openFiles);
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
