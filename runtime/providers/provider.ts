/**
 * One file per integration `type`, each a pair of pure functions: build the upstream request
 * from the platform payload, and parse the upstream reply. A provider never knows which
 * channel asked; the webhook client does the I/O.
 */
import type { ResolvedIntegration } from '../config/snapshot.js';
import type { WebhookReply, WebhookRequest } from '../core/message.js';
import type { StreamCodec } from './stream-step.js';

export interface ProviderRequest {
  /** JSON text to POST. */
  body: string;
  /** Provider-specific headers (e.g. anthropic-version); configured headers are added by the client. */
  headers: Record<string, string>;
}

/** Why a reply is unusable (drives the `switchboard test` diagnosis). */
export type BadReplyReason = 'invalid_json' | 'too_large' | 'missing_content' | 'empty' | 'invalid_shape';

export type ParseResult = { ok: true; reply: WebhookReply } | { ok: false; message: string; reason?: BadReplyReason };

export interface Provider {
  readonly type: ResolvedIntegration['type'];
  /** Pure: platform payload → upstream request (asking for a stream when `integration.stream` and the provider can stream). */
  buildRequest(payload: WebhookRequest, integration: ResolvedIntegration): ProviderRequest;
  /** Pure: 2xx JSON body → reply, or a message saying what is wrong with it. */
  parseReply(body: unknown): ParseResult;
  /**
   * Pure: a short, secret-free description of an upstream error body (non-2xx). `headers`
   * (lower-case names) lets a provider mention rate-limit headers.
   */
  describeError?(status: number, body: unknown, headers?: Readonly<Record<string, string | string[] | undefined>>): string | undefined;
  /** The streaming half (`text/event-stream` replies); absent: this type never streams. */
  stream?: StreamCodec;
  /**
   * Pure: answer without any network call (the built-in `echo`). When present, the webhook
   * client returns this reply and never dispatches a request.
   */
  answerLocally?(payload: WebhookRequest): WebhookReply;
}
