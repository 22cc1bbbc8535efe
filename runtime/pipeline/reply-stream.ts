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
  /**
   * The other way to take the deltas (use one or the other): `fn` gets each delta
   * synchronously as it is handed over, with no promise per delta, for a consumer that
   * writes it on at once; resolves when the deltas are over.
   */
  each(fn: (delta: StreamDelta) => void): Promise<void>;
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

const eachNothing = (): Promise<void> => Promise.resolve();

/** A stream of one: no deltas, then `reply` (the fast path: one small object per message). */
export function replyOnly(reply: Promise<OutboundReply>): ReplyStream {
  return { reply, each: eachNothing, [Symbol.asyncIterator]: iterateNothing };
}

/** A live ReplyStream over `queue`, ending with `reply`. */
export function liveReply(queue: DeltaQueue, reply: Promise<OutboundReply>): ReplyStream {
  return { reply, each: (fn) => queue.each(fn), [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator]() };
}

/**
 * A ReplyStream that is only known later (the conversation controls answer first): the
 * final reply and the iteration both wait for it.
 */
export function deferredReply(stream: Promise<ReplyStream>): ReplyStream {
  return {
    reply: stream.then((s) => s.reply),
    each: (fn) => stream.then((s) => s.each(fn)),
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
  #sink: ((delta: StreamDelta) => void) | undefined;
  #drained: (() => void) | undefined;

  push(delta: StreamDelta): void {
    if (this.#sink) {
      this.#sink(delta);
      return;
    }
    this.#items.push(delta);
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
    this.#drained?.();
  }

  /** Hands the buffered deltas, then each new one, to `fn`; resolves once the queue ended. */
  each(fn: (delta: StreamDelta) => void): Promise<void> {
    for (; this.#head < this.#items.length; this.#head++) fn(this.#items[this.#head] as StreamDelta);
    this.#items = [];
    this.#head = 0;
    if (this.#ended) return Promise.resolve();
    this.#sink = fn;
    return new Promise<void>((resolve) => (this.#drained = resolve));
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
