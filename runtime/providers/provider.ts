/**
 * One file per integration `type`, each a pair of pure functions: build the upstream request
 * from the platform payload, and parse the upstream reply. A provider never knows which
 * channel asked; the webhook client does the I/O.
 */
import type { ResolvedIntegration } from '../config/snapshot.js';
import type { WebhookReply, WebhookRequest } from '../core/message.js';

export interface ProviderRequest {
  /** JSON text to POST. */
  body: string;
  /** Provider-specific headers (e.g. anthropic-version); configured headers are added by the client. */
  headers: Record<string, string>;
}

export type ParseResult = { ok: true; reply: WebhookReply } | { ok: false; message: string };

export interface Provider {
  readonly type: ResolvedIntegration['type'];
  /** Pure: platform payload → upstream request. */
  buildRequest(payload: WebhookRequest, integration: ResolvedIntegration): ProviderRequest;
  /** Pure: 2xx JSON body → reply, or a message saying what is wrong with it. */
  parseReply(body: unknown): ParseResult;
  /** Pure: a short, secret-free description of an upstream error body (non-2xx). */
  describeError?(status: number, body: unknown): string | undefined;
}
