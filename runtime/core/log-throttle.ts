/**
 * Keeps a repeated log line from flooding the log: the first occurrence of a key is logged
 * at once, later ones within the window are only counted, and the next one after the
 * window is logged with how many were held back. The clock is injectable for tests.
 */

export interface LogThrottle {
  /**
   * Calls `emit` now (with the number of occurrences held back since the last emitted one)
   * when `key` was not emitted within the window; otherwise counts it and returns false.
   */
  hit(key: string, emit: (suppressed: number) => void): boolean;
}

export interface LogThrottleOptions {
  /** Default 10 s. */
  windowMs?: number;
  now?: () => number;
  /** Keys remembered at most (oldest forgotten first); default 100. */
  maxKeys?: number;
}

/** A throttle for repeated, identical log lines (keyed by the caller, e.g. the error message). */
export function createLogThrottle(opts: LogThrottleOptions = {}): LogThrottle {
  const windowMs = opts.windowMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100;
  const seen = new Map<string, { at: number; suppressed: number }>();
  return {
    hit(key, emit) {
      const t = now();
      const entry = seen.get(key);
      if (entry && t - entry.at < windowMs) {
        entry.suppressed++;
        return false;
      }
      const suppressed = entry?.suppressed ?? 0;
      seen.delete(key);
      seen.set(key, { at: t, suppressed: 0 });
      if (seen.size > maxKeys) seen.delete(seen.keys().next().value as string);
      emit(suppressed);
      return true;
    },
  };
}
