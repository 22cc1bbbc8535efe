/**
 * `SWITCHBOARD_DELIVERY_LEASE` (default 30s) and `SWITCHBOARD_SHUTDOWN_GRACE` (default 25s):
 * durations written like config durations (`30s`, `500ms`, `2m`, or a number of seconds).
 * An invalid value stops start-up with a message naming the variable.
 */
import { durationToMs } from '../config/duration.js';

export const DELIVERY_MODE_ENV = 'SWITCHBOARD_DELIVERY';
export const DELIVERY_LEASE_ENV = 'SWITCHBOARD_DELIVERY_LEASE';
export const SHUTDOWN_GRACE_ENV = 'SWITCHBOARD_SHUTDOWN_GRACE';
export const DEFAULT_DELIVERY_LEASE_MS = 30_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

/** A lease shorter than this would expire between renewals on a loaded machine. */
const MIN_LEASE_MS = 500;

function durationFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+(\.\d+)?$/.test(raw) ? durationToMs(Number(raw)) : durationToMs(raw);
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  if (value === null) throw new Error(`${name} must be a duration such as 30s, 500ms or 2m, got "${shown}"`);
  if (value < min) throw new Error(`${name} must be at least ${min} ms, got "${shown}"`);
  return value;
}

/** The delivery lease in ms; throws an Error naming the variable when invalid. */
export function deliveryLeaseFromEnv(env: NodeJS.ProcessEnv): number {
  return durationFromEnv(env, DELIVERY_LEASE_ENV, DEFAULT_DELIVERY_LEASE_MS, MIN_LEASE_MS);
}

/** The shutdown grace in ms (0 allowed: release everything at once); throws when invalid. */
export function shutdownGraceFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env[SHUTDOWN_GRACE_ENV]?.trim();
  if (raw === '0') return 0;
  return durationFromEnv(env, SHUTDOWN_GRACE_ENV, DEFAULT_SHUTDOWN_GRACE_MS, 0);
}

/**
 * `SWITCHBOARD_DELIVERY`: `durable` (the default; with a Redis store, accepted updates are
 * persisted and shared by replicas) or `in-process` (today's single-process queue even with
 * Redis: an update acknowledged by a replica that dies is lost). Throws when invalid.
 */
export function deliveryModeFromEnv(env: NodeJS.ProcessEnv): 'durable' | 'in-process' {
  const raw = env[DELIVERY_MODE_ENV]?.trim();
  if (raw === undefined || raw === '' || raw === 'durable') return 'durable';
  if (raw === 'in-process') return 'in-process';
  throw new Error(`${DELIVERY_MODE_ENV} must be durable or in-process, got "${raw.slice(0, 40)}"`);
}
