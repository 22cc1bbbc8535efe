/**
 * One run at a time; any number of requests during a run share exactly one more run after
 * it (a reload asked for during a reload must see the newer files, but ten asks need not
 * mean ten loads).
 */
export function serializeRuns<T>(run: () => Promise<T>, isClosed: () => boolean): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  let queued: Promise<T> | null = null;
  const next = (): Promise<T> => {
    if (isClosed()) return Promise.reject(new Error('config manager is closed'));
    if (!inFlight) {
      inFlight = run().finally(() => {
        inFlight = null;
      });
      return inFlight;
    }
    if (!queued) {
      queued = inFlight.then(() => {
        queued = null;
        return next();
      });
    }
    return queued;
  };
  return next;
}
