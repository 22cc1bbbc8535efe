/**
 * The channel interface. A channel is one file behind this small interface (grammY keeps
 * each framework adapter to one function): `triage` verifies and parses a request and either
 * answers it at once or describes a `ChannelJob`; `run` carries a job out (builds the
 * `InboundMessage`, calls the pipeline, delivers the reply). The server owns what every
 * channel shares: the 404/401 gate, the duplicate-delivery claim and the one
 * per-conversation queue between "accepted" and "processed". A channel never knows which
 * provider answered; adding a channel touches `runtime/channels/` only.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { FastifyBaseLogger } from 'fastify';
import type { ChannelName, InboundMessage } from '../core/message.js';
import type { ReplyStream } from '../pipeline/reply-stream.js';
import type { ConfigSnapshot, ResolvedBot } from '../config/snapshot.js';
import type { ControlOptions } from '../controls/conversation-controls.js';

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

/**
 * A platform delivery id claimed once in the store before the job is queued, so a
 * re-delivery is acked and dropped.
 */
export interface DeliveryClaim {
  /** Store key of the delivery id (`tg:<bot>:<update_id>`). */
  key: string;
  ttlSeconds: number;
  /** Extra log fields of the "duplicate ignored" line (the delivery id, the retry number). */
  logFields: Record<string, unknown>;
}

/**
 * One accepted message as plain data (JSON-serialisable), so a queue can hold it anywhere;
 * whoever processes it looks up `channelAdapters[job.channel].run`.
 */
export interface ChannelJob<Payload = unknown> {
  channel: ChannelName;
  bot: string;
  requestId: string;
  /** Jobs with the same key run one at a time, in arrival order (one conversation). */
  conversationKey: string;
  /** Set by channels that ack before processing; absent for a synchronous channel. */
  claim?: DeliveryClaim;
  /** What the channel parsed from the request (an update, an event, a message). */
  payload: Payload;
}

/** What triage decided: answer the request now, or accept a job. */
export type Triage<Payload = unknown> = { kind: 'answer'; response: ChannelResponse } | { kind: 'job'; job: ChannelJob<Payload> };

/** How a channel takes part in processing one message. */
export interface ProcessOptions extends ControlOptions {
  /**
   * Called once the message goes on to the webhook (it was not answered by the runtime), so a
   * channel shows "typing" only for replies that take time.
   */
  onForward?: () => void;
  /** True when the channel relays deltas live; false (default) assembles them and waits for the final reply. */
  live?: boolean;
  /** Cancels the upstream request when it fires (the client went away); no fallback follows. */
  signal?: AbortSignal;
}

/** What a channel needs while it runs a job (and while it streams a file). */
export interface JobContext {
  /** The snapshot the job runs against. */
  snapshot: ConfigSnapshot;
  /**
   * The conversation controls (commands, rate limit), then the whole pipeline: history,
   * routing, webhook attempts, fallbacks, history append, as a ReplyStream. A reply with
   * `limited` set means the user is over the rate limit (the webhook was not called). The
   * deltas come only with `live: true`; without it the stream is one final reply.
   */
  process(message: InboundMessage, opts?: ProcessOptions): ReplyStream;
  /**
   * `reply` mode only: answers the request now while `run` goes on (an event stream), so the
   * conversation stays held until `run` ends. Absent when the job did not come from a waiting request.
   */
  respond?(response: ChannelResponse): void;
  /** Signs a link to `/files/:token` for a file this channel can open with `openFile`. */
  fileUrl(file: { channel: ChannelName; bot: string; ref: string; name?: string; mimeType?: string }): string;
  /** Shared dispatcher for channel API calls (channel `apiUrl` is exempt from the private-network rule). */
  dispatcher: Dispatcher;
  log: FastifyBaseLogger;
}

/** One channel. Methods (not function properties) so adapters of different payloads share a registry. */
export interface ChannelAdapter<Payload = unknown> {
  readonly name: ChannelName;
  /**
   * `ack`: the platform gets its 200 once the job is claimed and queued, and the reply goes
   * out through the platform API later. `reply`: the job runs while the request waits and
   * its answer is the HTTP response.
   */
  readonly mode: 'ack' | 'reply';
  /** How log lines name the platform and what it delivers: `Telegram` / `update`, `Slack` / `event`. */
  readonly platform: string;
  readonly noun: string;
  /**
   * Header-only authentication that runs before the body is read (so 401 precedes 413).
   * Return false to answer 401. Channels that sign the body check it in `triage`.
   */
  authenticate?(headers: IncomingHttpHeaders, bot: ResolvedBot): boolean;
  /** Verifies and parses an authenticated request for a bot that has this channel. No I/O. */
  triage(request: ChannelRequest, bot: ResolvedBot): Triage<Payload>;
  /**
   * Carries out an accepted job. In `reply` mode the result is the HTTP response; in `ack`
   * mode it resolves with undefined and never throws for upstream failures.
   */
  run(job: ChannelJob<Payload>, bot: ResolvedBot, ctx: JobContext): Promise<ChannelResponse | undefined>;
  /** Streams a file referenced by a signed link this channel issued. */
  openFile?(bot: ResolvedBot, ref: string, ctx: JobContext): Promise<ChannelFile>;
}
