/**
 * The HTTP channel's `Accept: text/event-stream` answer: `200 text/event-stream` at once,
 * one `event: delta` per delta as the pipeline hands it over, then exactly one `event: done`
 * whose data is the JSON body the request would have got without streaming. A client that
 * goes away cancels the upstream request.
 */
import { Readable } from 'node:stream';
import { errorBody } from '../core/errors.js';
import { errorMessage } from '../core/error-message.js';
import type { InboundMessage, OutboundReply } from '../core/message.js';
import type { ChannelResponse, JobContext } from './channel.js';

const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // nginx and similar proxies must not buffer the stream.
  'x-accel-buffering': 'no',
};

/** True when the `Accept` header asks for `text/event-stream`. */
export function acceptsEventStream(accept: string | string[] | undefined): boolean {
  if (accept === undefined) return false;
  const value = Array.isArray(accept) ? accept.join(',') : accept;
  return /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(value);
}

/** One server-sent event; `data` is one line of JSON (JSON never holds a raw line break). */
function sseEvent(event: 'delta' | 'done', data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Runs `message` live and relays it as an event stream. The response goes out through
 * `ctx.respond` as soon as the message goes on to the webhook (the job keeps its conversation until the
 * `done` event is written); without `respond` the whole stream is the job's result.
 */
export async function relayEventStream(ctx: JobContext, message: InboundMessage, bodyOf: (reply: OutboundReply) => unknown, answeredBefore: (reply: OutboundReply) => ChannelResponse | undefined): Promise<ChannelResponse | undefined> {
  // A plain Readable the route pipes to the socket (lighter than a PassThrough per delta).
  const body = new Readable({ read: () => undefined });
  const abort = new AbortController();
  let finished = false;
  // The route destroys the body when the client disconnects before `done`.
  body.once('close', () => {
    if (!finished) abort.abort();
  });
  const response: ChannelResponse = { status: 200, headers: { ...EVENT_STREAM_HEADERS }, body };
  // The stream starts once the message goes on to the webhook; what the runtime answers
  // itself before that (a rate limit) keeps its own status.
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    ctx.respond?.(response);
  };
  const stream = ctx.process(message, { live: true, signal: abort.signal, onForward: start });
  let done: unknown;
  try {
    await stream.each((d) => {
      if (!body.destroyed) body.push(sseEvent('delta', d));
    });
    const reply = await stream.reply;
    const early = started ? undefined : answeredBefore(reply);
    if (early) return early;
    done = bodyOf(reply);
  } catch (err) {
    ctx.log.error({ channel: 'http', err: errorMessage(err) }, 'message processing failed');
    done = errorBody('SWB_ERR_HTTP_INTERNAL', 'Internal error');
  }
  finished = true;
  start();
  if (!body.destroyed) {
    body.push(sseEvent('done', done));
    body.push(null);
  }
  return ctx.respond ? undefined : response;
}
