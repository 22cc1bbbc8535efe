/**
 * The result of one webhook attempt, as the webhook client reports it to the pipeline.
 */
import type { FailureClass, WebhookReply } from '../core/message.js';

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
    };

export interface AttemptOptions {
  requestId: string;
  /** Overrides the integration's `timeout` (ms). */
  timeoutMs?: number;
  allowPrivateNetwork: boolean;
}
