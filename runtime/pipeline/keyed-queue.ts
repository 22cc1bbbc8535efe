/**
 * Runs async jobs one at a time per key, in arrival order, and lets shutdown wait for all of
 * them. Two messages of one conversation arriving together are processed in order (and both
 * land in history); different conversations run concurrently.
 */
export interface KeyedQueue {
  /** Runs `job` after every earlier job of `key`; resolves/rejects with its result. */
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** Jobs queued or running. */
  readonly size: number;
  /** Resolves once every job queued so far has settled. */
  drain(): Promise<void>;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  let pending = 0;
  let idle: Array<() => void> = [];

  const settle = (): void => {
    pending -= 1;
    if (pending === 0) {
      const waiters = idle;
      idle = [];
      for (const w of waiters) w();
    }
  };

  return {
    run<T>(key: string, job: () => Promise<T>): Promise<T> {
      pending += 1;
      const prev = tails.get(key) ?? Promise.resolve();
      const result = prev.then(job, job);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
        settle();
      });
      return result;
    },
    get size() {
      return pending;
    },
    drain(): Promise<void> {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
