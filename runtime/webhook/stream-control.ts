/**
 * The live state of one streamed attempt: the first-token and idle deadlines (each aborts
 * the attempt's Deadline and remembers why), cancellation, the assembled text under the
 * size cap, and the buffered deltas its consumer iterates.
 */
import type { StreamCodec } from '../providers/stream-step.js';
import type { StreamDelta, StreamInfo } from './attempt-stream.js';
import type { Deadline } from './deadline.js';

/** Why a StreamControl aborted its attempt. */
export type StreamAbort = 'first_token_timeout' | 'idle_timeout' | 'cancelled';

export interface StreamLimits {
  /** The provider's stream codec; absent when this attempt is not asking for a stream. */
  codec?: StreamCodec | undefined;
  timeoutMs: number;
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  /** Cap on the UTF-8 bytes of the assembled text. */
  maxBytes: number;
  /** Receives each delta at once instead of the buffered iteration. */
  onDelta?: ((text: string) => void) | undefined;
}

export class StreamControl {
  readonly info: StreamInfo = { streamed: false, deltas: 0, textProduced: false, text: '' };
  readonly limits: StreamLimits;
  /** Set when this control aborted the attempt (before the attempt's own deadline did). */
  fired: StreamAbort | undefined;
  #deadline: Deadline | undefined;
  #started = 0;
  #bytes = 0;
  #firstTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #queue: StreamDelta[] = [];
  #waiting: Array<() => void> = [];
  #ended = false;

  constructor(limits: StreamLimits) {
    this.limits = limits;
  }

  /** Binds the attempt's deadline and starts the first-token clock (at sending time). */
  attach(deadline: Deadline, started: number): void {
    this.#deadline = deadline;
    this.#started = started;
    if (this.fired === 'cancelled') {
      deadline.abort();
      return;
    }
    // A streaming deadline at or past the attempt's own would never fire first.
    const { codec, firstTokenTimeoutMs, timeoutMs } = this.limits;
    if (codec && firstTokenTimeoutMs < timeoutMs) this.#firstTimer = setTimeout(() => this.#fire('first_token_timeout'), firstTokenTimeoutMs);
  }

  /** Aborts the attempt (idempotent; a no-op once it is over): the upstream connection is closed. */
  cancel(): void {
    if (this.#ended) return;
    if (this.#deadline) this.#fire('cancelled');
    else this.fired = 'cancelled';
  }

  #fire(why: StreamAbort): void {
    const deadline = this.#deadline;
    if (!deadline || deadline.aborted || this.#ended) return;
    this.fired = why;
    deadline.abort();
  }

  /**
   * Records one non-empty delta and hands it to the consumer. Returns false (and keeps
   * nothing) when the assembled text would pass the size cap.
   */
  push(text: string): boolean {
    this.#bytes += Buffer.byteLength(text);
    if (this.#bytes > this.limits.maxBytes) return false;
    const info = this.info;
    if (info.deltas === 0) {
      info.firstTokenMs = Math.round(performance.now() - this.#started);
      if (this.#firstTimer !== undefined) clearTimeout(this.#firstTimer);
      this.#firstTimer = undefined;
      const { idleTimeoutMs, timeoutMs } = this.limits;
      if (idleTimeoutMs < timeoutMs) this.#idleTimer = setTimeout(() => this.#fire('idle_timeout'), idleTimeoutMs);
    } else {
      this.#idleTimer?.refresh();
    }
    info.deltas++;
    info.textProduced = true;
    info.text += text;
    const onDelta = this.limits.onDelta;
    if (onDelta) {
      onDelta(text);
      return true;
    }
    this.#queue.push({ delta: text });
    this.#wakeAll();
    return true;
  }

  /** The attempt is over: timers stop, the consumer's iteration ends after the buffered deltas. */
  end(): void {
    this.#ended = true;
    if (this.#firstTimer !== undefined) clearTimeout(this.#firstTimer);
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#firstTimer = this.#idleTimer = undefined;
    this.#wakeAll();
  }

  #wakeAll(): void {
    if (this.#waiting.length === 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }

  /** The deltas, in order, as they come; done once the attempt is over. Each call iterates from the first delta. */
  async *deltas(): AsyncGenerator<StreamDelta> {
    for (let i = 0; ; ) {
      if (i < this.#queue.length) {
        yield this.#queue[i++] as StreamDelta;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }
}
