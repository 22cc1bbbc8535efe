/**
 * The channel interface. A channel is one file behind this small interface (grammY keeps
 * each framework adapter to one function): it verifies and parses a request into an
 * `InboundMessage`, hands it to the pipeline through the context, and delivers the reply.
 * It never knows which provider answered. The server owns routing, body limits, request ids
 * and the error envelope; adding a channel touches `runtime/channels/` only.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { FastifyBaseLogger } from 'fastify';
import type { ChannelName, InboundMessage, OutboundReply } from '../core/message.js';
import type { ConfigSnapshot, ResolvedBot } from '../config/snapshot.js';
import type { Store } from '../store/store.js';

export interface ChannelRequest {
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when the body was empty). */
  body: unknown;
  /** The exact bytes received (for signature checks). */
  rawBody: Buffer;
  requestId: string;
  log: FastifyBaseLogger;
}

export interface ChannelResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A file a channel can stream to `/files/:token` (Telegram getFile, Slack url_private). */
export interface ChannelFile {
  body: Readable;
  contentType?: string;
  name?: string;
  size?: number;
}

export interface ChannelContext {
  /** The snapshot read once for this request. */
  snapshot: ConfigSnapshot;
  /** The whole pipeline: history, routing, webhook attempts, fallbacks, history append. */
  process(message: InboundMessage): Promise<OutboundReply>;
  /**
   * Runs `job` after the ack, in order with other jobs of the same `key` (conversation), and
   * is drained by graceful shutdown.
   */
  background(key: string, job: () => Promise<void>): void;
  store: Store;
  /** Signs a link to `/files/:token` for a file this channel can open with `openFile`. */
  fileUrl(file: { channel: ChannelName; bot: string; ref: string; name?: string; mimeType?: string }): string;
  /** Shared dispatcher for channel API calls (channel `apiUrl` is exempt from the private-network rule). */
  dispatcher: Dispatcher;
  log: FastifyBaseLogger;
}

export interface ChannelAdapter {
  readonly name: ChannelName;
  /**
   * Header-only authentication that runs before the body is read (so 401 precedes 413).
   * Return false to answer 401. Channels that sign the body check in `handle`.
   */
  authenticate?(headers: IncomingHttpHeaders, bot: ResolvedBot): boolean;
  handle(request: ChannelRequest, bot: ResolvedBot, ctx: ChannelContext): Promise<ChannelResponse>;
  /** Streams a file referenced by a signed link this channel issued. */
  openFile?(bot: ResolvedBot, ref: string, ctx: ChannelContext): Promise<ChannelFile>;
}
