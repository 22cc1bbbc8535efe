/**
 * Shows a growing text through a chat API that limits how often one message may change
 * (Telegram drafts and edits, Slack updates and stream appends): `intervalMs` between the
 * end of one call and the start of the next, one call at a time, always the latest text,
 * and a rate-limit answer's `retry_after` pushes the next call back instead of being
 * retried in place.
 */

export interface ThrottledTextOptions {
  /** Shows `text` (the whole text so far); throws on failure. */
  send(text: string): Promise<void>;
  /** Shortest gap between the end of one call and the start of the next. */
  intervalMs: number;
  /** Seconds a failed call asks to wait (a 429), else undefined. */
  retryAfterOf(err: unknown): number | undefined;
  /** Any other failure (logged by the caller; the next update tries again). */
  onError(err: unknown): void;
  /** The longest rate-limit wait `finish` honours (default 30 s). */
  maxWaitMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ThrottledText {
  readonly #o: ThrottledTextOptions;
  #latest = '';
  #sent = '';
  #nextAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #closed = false;

  constructor(options: ThrottledTextOptions) {
    this.#o = options;
  }

  /** The text the API has accepted last. */
  get sent(): string {
    return this.#sent;
  }

  /** Asks to show `text`; the call goes out now or once the interval (or a retry_after) has passed. */
  update(text: string): void {
    if (this.#closed) return;
    this.#latest = text;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#inFlight !== undefined || this.#closed || this.#latest === this.#sent) return;
    const wait = this.#nextAt - performance.now();
    if (wait <= 0) {
      void this.#run();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, wait);
  }

  /** One call with the latest text; a failure decides when the next may go. Never rejects. */
  async #run(): Promise<boolean> {
    const text = this.#latest;
    let ok = false;
    const call = (async () => {
      let wait = this.#o.intervalMs;
      try {
        await this.#o.send(text);
        this.#sent = text;
        ok = true;
      } catch (err) {
        const retryAfter = this.#o.retryAfterOf(err);
        if (retryAfter !== undefined) wait = retryAfter * 1000;
        else this.#o.onError(err);
      }
      // Counted from the end of the call: one `send` may take several API calls.
      this.#nextAt = performance.now() + wait;
    })();
    this.#inFlight = call;
    await call;
    this.#inFlight = undefined;
    this.#schedule();
    return ok;
  }

  /**
   * Stops the updates and makes sure `text` is what the API shows: waits for the call in
   * flight and for the interval, then sends it (again after a rate-limit wait, up to three
   * tries). Resolves true when `text` was shown.
   */
  async finish(text: string): Promise<boolean> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#inFlight) await this.#inFlight;
    this.#latest = text;
    for (let tries = 0; tries < 3 && this.#sent !== text; tries++) {
      const wait = this.#nextAt - performance.now();
      if (wait > (this.#o.maxWaitMs ?? 30_000)) return false;
      if (wait > 0) await sleep(wait);
      await this.#run();
    }
    return this.#sent === text;
  }

  /** Stops the updates without a last call (waits for the call in flight). */
  async stop(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#inFlight) await this.#inFlight;
  }
}
