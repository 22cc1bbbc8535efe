/**
 * The one value the pipeline hands a channel: the reply's text deltas as they are produced,
 * then one final reply. A reply that did not stream (a JSON webhook, `echo`, the fallback
 * message) is a stream of one: no deltas, just the final reply.
 */
import type { OutboundReply } from '../core/message.js';
import type { Span } from '../tracing/tracing.js';
import type { StreamDelta } from '../webhook/attempt-stream.js';

export type { StreamDelta } from '../webhook/attempt-stream.js';

/**
 * Iterate it for the deltas (buffered: a slow consumer loses nothing); the iteration ends
 * once the reply is final. `reply` never rejects for upstream or store failures. A delta
 * counts as shown once the pipeline has handed it over, so after the first one no other
 * integration is tried and a broken stream ends in a reply marked interrupted.
 */
export interface ReplyStream extends AsyncIterable<StreamDelta> {
  readonly reply: Promise<OutboundReply>;
}

/** How the pipeline is asked for a reply. */
export interface StreamOptions {
  /** True when the channel relays deltas live; false (default) assembles them and waits for the final reply. */
  live?: boolean;
  /** Cancels the upstream request when it fires (the client went away); no fallback follows. */
  signal?: AbortSignal;
  /** The message's trace span: store turns and attempts become its children. */
  trace?: Span;
}

const noDeltas: AsyncIterator<StreamDelta> = { next: () => Promise.resolve({ done: true, value: undefined }) };
const iterateNothing = (): AsyncIterator<StreamDelta> => noDeltas;

/** A stream of one: no deltas, then `reply` (the fast path: one small object per message). */
export function replyOnly(reply: Promise<OutboundReply>): ReplyStream {
  return { reply, [Symbol.asyncIterator]: iterateNothing };
}

/**
 * A ReplyStream that is only known later (the conversation controls answer first): the
 * final reply and the iteration both wait for it.
 */
export function deferredReply(stream: Promise<ReplyStream>): ReplyStream {
  return {
    reply: stream.then((s) => s.reply),
    async *[Symbol.asyncIterator]() {
      yield* await stream;
    },
  };
}

/**
 * The push side of a live ReplyStream: the pipeline pushes deltas and ends it; one consumer
 * iterates. Waiting costs one promise per pause, not per delta.
 */
export class DeltaQueue implements AsyncIterable<StreamDelta> {
  #items: StreamDelta[] = [];
  #head = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  push(delta: StreamDelta): void {
    this.#items.push(delta);
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamDelta> {
    const next = (): Promise<IteratorResult<StreamDelta>> => {
      if (this.#head < this.#items.length) {
        const value = this.#items[this.#head] as StreamDelta;
        this.#head++;
        // Drop consumed deltas now and then so a long stream does not keep them all.
        if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
          this.#items = this.#items.slice(this.#head);
          this.#head = 0;
        }
        return Promise.resolve({ done: false, value });
      }
      if (this.#ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise<void>((resolve) => (this.#wake = resolve)).then(next);
    };
    return { next };
  }
}
