/**
 * A trailing debounce with a cap: `fire` runs `quietMs` after the last `schedule()`, but no
 * later than `maxWaitMs` after the first one of a burst, so a steady stream of events
 * cannot postpone it forever.
 */
export interface Debouncer {
  schedule(): void;
  /** True while a call is scheduled. */
  readonly pending: boolean;
  cancel(): void;
}

/** Creates a debouncer; `fire` is called with no arguments. */
export function createDebouncer(quietMs: number, maxWaitMs: number, fire: () => void): Debouncer {
  let timer: NodeJS.Timeout | null = null;
  let burstStartedAt = 0;
  const run = (): void => {
    timer = null;
    burstStartedAt = 0;
    fire();
  };
  return {
    schedule() {
      const now = Date.now();
      if (burstStartedAt === 0) burstStartedAt = now;
      if (timer) clearTimeout(timer);
      const wait = Math.max(0, Math.min(quietMs, burstStartedAt + maxWaitMs - now));
      timer = setTimeout(run, wait);
    },
    get pending() {
      return timer !== null;
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      burstStartedAt = 0;
    },
  };
}
