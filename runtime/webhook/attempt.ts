/**
 * The result of one webhook attempt, as the webhook client reports it to the pipeline.
 */
import type { Dispatcher } from 'undici';
import type { FailureClass, WebhookReply } from '../core/message.js';
import type { BadReplyReason } from '../providers/provider.js';

export type AttemptResult =
  | { ok: true; reply: WebhookReply; status: number; latencyMs: number; retried: boolean }
  | {
      ok: false;
      failure: FailureClass;
      /** Upstream HTTP status for `http_status` (and `bad_reply` when known). */
      status?: number;
      /** Secret-free, user-facing explanation. */
      message: string;
      latencyMs: number;
      retried: boolean;
      cause?: unknown;
      /** For `bad_reply`: what exactly is wrong (drives the `switchboard test` diagnosis). */
      reason?: BadReplyReason;
    };

/** What one dispatched request carried, as reported to `AttemptOptions.onRequest`. NOT redacted. */
export interface SentRequest {
  method: 'POST';
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
}

/** Something that can cancel an attempt (an AbortSignal fits). */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface AttemptOptions {
  requestId: string;
  /** Overrides the integration's `timeout` (ms). */
  timeoutMs?: number;
  allowPrivateNetwork: boolean;
  /**
   * Dispatcher override; default `guardedDispatcher(allowPrivateNetwork)`. Tests pass an agent
   * from `createGuardedAgent({ resolve })` (injected DNS) or an undici MockAgent.
   */
  dispatcher?: Dispatcher;
  /** Called before each dispatch (twice when retried) with the request as sent; the callee must redact. */
  onRequest?: (request: SentRequest) => void;
  /** Clock for `webhook-timestamp`, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Streamed attempts: receives each non-empty delta synchronously as it is parsed, instead
   * of the AttemptStream's iteration (which then yields nothing). The cheaper way for a
   * consumer that relays every delta at once.
   */
  onDelta?: (text: string) => void;
  /** Cancels the attempt when it fires (e.g. the channel's client went away): the upstream connection is closed. */
  signal?: CancelSignal;
  /** W3C `traceparent` of the attempt span, sent as is. */
  traceparent?: string;
}
