/**
 * The one value a streamed attempt hands on: an async iterable of text deltas plus a
 * promise of the final result. A non-streaming reply is a stream with no deltas whose
 * result carries the whole reply, so every consumer handles both the same way.
 */
import type { AttemptResult } from './attempt.js';

export type { CancelSignal } from './attempt.js';

/** One piece of reply text, in order; never empty. */
export interface StreamDelta {
  delta: string;
}

/** How the stream went, whatever its outcome. */
export interface StreamInfo {
  /** True when the reply came as `text/event-stream` (false: a plain JSON reply). */
  streamed: boolean;
  /** Non-empty text deltas received. */
  deltas: number;
  /** ms from the start of the attempt to the first non-empty delta; absent when none came. */
  firstTokenMs?: number;
  /**
   * Whether any text reached the consumer. Decides the failover rule: a failure with
   * `textProduced: false` may go to the fallbacks; with `true` the reply is interrupted.
   */
  textProduced: boolean;
  /** The text assembled from the deltas so far (on a failure: what was produced before it). */
  text: string;
}

/** The final result of a streamed attempt: the usual AttemptResult plus how the stream went. */
export type StreamResult = AttemptResult & { stream: StreamInfo };

/**
 * A running attempt. Iterate it for the deltas (they are buffered, so a slow consumer loses
 * nothing); the iteration ends when the attempt is over, and `result` says how (it never
 * rejects). `cancel()` aborts the upstream request and closes its connection.
 */
export interface AttemptStream extends AsyncIterable<StreamDelta> {
  readonly result: Promise<StreamResult>;
  cancel(): void;
}
