/**
 * The trace of one channel request, held by the server around the channel's work: the
 * inbound span (continuing the request's `traceparent`), the delivery span that starts
 * when the pipeline hands the reply back, and `finish()` once the channel is done — after
 * its response for a synchronous channel, after its background job for one that acks first.
 */
import type { Span, Tracing } from './tracing.js';

export interface MessageTrace {
  /** The inbound span: the parent of every span of this message. */
  readonly span: Span;
  /** Marks the reply as handed to the channel: opens the delivery span. */
  delivering(): void;
  /** Keeps the trace open for work that outlives the request (a background job); call the result when it is done. Undefined when nothing is recorded. */
  hold(): (() => void) | undefined;
  /** The request is answered: ends the delivery span (if any) and the inbound span once nothing holds them. */
  finish(): void;
}

/** Starts the trace of one channel request. */
export function startMessageTrace(
  tracing: Tracing,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  attrs: { channel: string; bot: string; requestId: string },
): MessageTrace {
  const span = tracing.startInboundSpan(headers, attrs);
  // Without an exporter nothing is recorded: skip the bookkeeping.
  if (!tracing.recording) return { span, delivering: noop, hold: () => undefined, finish: noop };
  let delivery: Span | undefined;
  // The request itself holds one reference; each background job another.
  let holders = 1;
  let finished = false;
  const release = (): void => {
    if (holders <= 0) return;
    holders -= 1;
    if (holders > 0) return;
    delivery?.end();
    span.end();
  };
  return {
    span,
    delivering() {
      if (holders > 0 && !delivery) delivery = tracing.startDeliverySpan(span, attrs.channel);
    },
    hold() {
      holders += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
    finish() {
      if (finished) return;
      finished = true;
      release();
    },
  };
}
function noop(): void {}
