/**
 * Runs async jobs one at a time per key, in arrival order, and lets shutdown wait for all of
 * them. Two messages of one conversation arriving together are processed in order (and both
 * land in history); different conversations run concurrently.
 *
 * Per key: the running job plus a FIFO of waiting starters; a key with nothing queued costs
 * one Map entry and one promise reaction (no promise chain per job).
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
  /** key → starters of the jobs waiting behind the running one. */
  const waiting = new Map<string, Array<() => void>>();
  let pending = 0;
  let idle: Array<() => void> = [];

  const finish = (key: string): void => {
    pending -= 1;
    const queue = waiting.get(key);
    const next = queue?.shift();
    if (next) next();
    else waiting.delete(key);
    if (pending === 0) {
      const waiters = idle;
      idle = [];
      for (const w of waiters) w();
    }
  };

  function start<T>(key: string, job: () => Promise<T>): Promise<T> {
    let result: Promise<T>;
    try {
      result = job();
    } catch (err) {
      result = Promise.reject(err);
    }
    const done = (): void => finish(key);
    result.then(done, done);
    return result;
  }

  return {
    run<T>(key: string, job: () => Promise<T>): Promise<T> {
      pending += 1;
      const queue = waiting.get(key);
      if (!queue) {
        waiting.set(key, []);
        return start(key, job);
      }
      return new Promise<T>((resolve, reject) => {
        queue.push(() => start(key, job).then(resolve, reject));
      });
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
