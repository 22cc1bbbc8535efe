/**
 * Reading a `text/event-stream` reply incrementally (eventsource-parser), turning each event
 * into a step with the provider's codec and each text delta into a StreamControl push,
 * until the stream ends, fails, breaks or a deadline fires.
 */
import { createParser } from 'eventsource-parser';
import type { Dispatcher } from 'undici';
import type { FailureClass, WebhookReply } from '../core/message.js';
import type { BadReplyReason } from '../providers/provider.js';
import type { StreamCodec, StreamState, StreamStep } from '../providers/stream-step.js';
import { causeCode } from './classify.js';
import type { Deadline } from './deadline.js';
import type { StreamControl } from './stream-control.js';

type Body = Dispatcher.ResponseData['body'];

const deltas = (n: number): string => `${n} ${n === 1 ? 'delta' : 'deltas'}`;

/** How reading a stream ended. */
export type StreamOutcome =
  | { ok: true; reply: WebhookReply }
  | { ok: false; failure: FailureClass; message: string; reason?: BadReplyReason; cause?: unknown };

/** True for a `text/event-stream` Content-Type (parameters and case ignored). */
export function isEventStream(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && /^\s*text\/event-stream\s*(;|$)/i.test(contentType);
}

/**
 * The failure for an attempt that `ctl` or its deadline aborted, or whose connection broke:
 * first-token / idle timeout, cancellation, the whole-attempt timeout, else an interruption.
 */
export function abortedOutcome(ctl: StreamControl, deadline: Deadline, err: unknown): StreamOutcome & { ok: false } {
  const { info, limits } = ctl;
  switch (ctl.fired) {
    case 'first_token_timeout':
      return { ok: false, failure: 'first_token_timeout', message: `no text within firstTokenTimeout (${limits.firstTokenTimeoutMs} ms)` };
    case 'idle_timeout':
      return { ok: false, failure: 'idle_timeout', message: `no text for idleTimeout (${limits.idleTimeoutMs} ms) after ${deltas(info.deltas)}` };
    case 'cancelled':
      return { ok: false, failure: 'cancelled', message: 'the attempt was cancelled (the caller went away)' };
    default:
      if (deadline.aborted) return { ok: false, failure: 'timeout', message: `the stream did not finish within ${limits.timeoutMs} ms` };
      return { ok: false, failure: 'interrupted', message: `the stream broke after ${deltas(info.deltas)} (${causeCode(err) ?? 'connection error'})`, cause: err };
  }
}

function tooLarge(maxBytes: number): StreamOutcome {
  return { ok: false, failure: 'bad_reply', reason: 'too_large', message: `the streamed reply is larger than ${maxBytes} bytes (1 MiB)` };
}

/** Applies one step; returns the outcome when it ends the stream. */
function apply(step: StreamStep, codec: StreamCodec, ctl: StreamControl, state: StreamState): StreamOutcome | undefined {
  switch (step.type) {
    case 'delta':
      // Empty deltas (role-only chunks, empty text) are not a token and change nothing.
      return step.text === '' || ctl.push(step.text) ? undefined : tooLarge(ctl.limits.maxBytes);
    case 'done': {
      const parsed = codec.finish(ctl.info.text, step.done, state);
      if (parsed.ok) return parsed;
      return parsed.reason === undefined
        ? { ok: false, failure: 'bad_reply', message: parsed.message }
        : { ok: false, failure: 'bad_reply', message: parsed.message, reason: parsed.reason };
    }
    case 'error':
      return { ok: false, failure: 'stream_error', message: step.message };
    case 'invalid':
      return { ok: false, failure: 'bad_reply', message: step.message, reason: step.reason };
    case 'ignore':
      return undefined;
  }
}

/**
 * Reads `body` as server-sent events until the codec reports the end. Never throws. A stream
 * that closes before its end is `interrupted`; a line or event longer than the size cap is
 * `too_large`; bytes that are not UTF-8 become U+FFFD rather than failing the reply.
 */
export function readEventStream(body: Body, codec: StreamCodec, ctl: StreamControl, deadline: Deadline): Promise<StreamOutcome> {
  ctl.info.streamed = true;
  const state: StreamState = { metadata: {} };
  let outcome: StreamOutcome | undefined;
  const parser = createParser({
    maxBufferSize: ctl.limits.maxBytes,
    onEvent(event) {
      outcome ??= apply(codec.parseEvent(event, state), codec, ctl, state);
    },
    onError(err) {
      if (err.type === 'max-buffer-size-exceeded') outcome ??= tooLarge(ctl.limits.maxBytes);
    },
  });
  const decoder = new TextDecoder('utf-8');
  // 'data' events rather than `for await`: the async iterator costs a few promises per chunk,
  // and a streamed reply is one small chunk per delta.
  return new Promise<StreamOutcome>((resolve) => {
    let settled = false;
    const settle = (o: StreamOutcome): void => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      resolve(o);
    };
    const onData = (chunk: Buffer): void => {
      try {
        parser.feed(decoder.decode(chunk, { stream: true }));
      } catch (err) {
        settle(abortedOutcome(ctl, deadline, err));
      }
      if (outcome && !settled) {
        settle(outcome);
        // Done reading: destroying the body closes the connection.
        body.destroy();
      }
    };
    body.on('data', onData);
    body.once('end', () => {
      parser.feed(decoder.decode());
      settle(outcome ?? closedWithoutEnd(ctl));
    });
    body.once('error', (err: unknown) => settle(outcome ?? abortedOutcome(ctl, deadline, err)));
    body.once('close', () => settle(outcome ?? abortedOutcome(ctl, deadline, new Error('the stream closed'))));
  });
}

/** A stream whose body ended cleanly but never sent its end event. */
function closedWithoutEnd(ctl: StreamControl): StreamOutcome {
  return {
    ok: false,
    failure: 'interrupted',
    message:
      ctl.info.deltas > 0
        ? `the stream closed after ${deltas(ctl.info.deltas)} without its end event`
        : 'the stream closed before its end event, without any text',
  };
}
