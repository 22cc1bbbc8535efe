/**
 * One attempt's deadline, passed to undici `request` as its `signal`.
 *
 * undici accepts an EventEmitter-style signal (`on`/`once`/`removeListener` + `aborted` +
 * `reason`) as well as an AbortSignal. An AbortController costs an EventTarget per attempt
 * plus listener records on every add/remove, once per message on the hot path, so the
 * deadline is this small object: one timer, at most a few listeners.
 */
export class Deadline {
  aborted = false;
  reason: Error | undefined;
  #listeners: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.#timer = setTimeout(() => this.abort(), ms);
  }

  /** Fires the deadline now (idempotent): every listener runs once, then none again. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const err = new Error('the attempt deadline passed');
    err.name = 'AbortError';
    this.reason = err;
    this.clear();
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }

  /** Stops the timer (the attempt is over). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  on(_event: 'abort', listener: () => void): this {
    this.#listeners.push(listener);
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const i = this.#listeners.indexOf(listener);
    if (i >= 0) this.#listeners.splice(i, 1);
    return this;
  }

  off(event: 'abort', listener: () => void): this {
    return this.removeListener(event, listener);
  }

  /** Waits `ms`, or rejects with the deadline's reason when it fires first. */
  sleep(ms: number): Promise<void> {
    if (this.aborted) return Promise.reject(this.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(t);
        reject(this.reason);
      };
      const t = setTimeout(() => {
        this.removeListener('abort', onAbort);
        resolve();
      }, ms);
      this.on('abort', onAbort);
    });
  }
}
