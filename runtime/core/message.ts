/**
 * The plain values passed between the stages of one message's path
 * (channel → conversation → routing → provider → webhook client → channel).
 */
import type { ChatMessage } from '../../schema/webhook.js';

export type { ChatMessage, ContentPart, WebhookRequest, WebhookReply } from '../../schema/webhook.js';

export type ChannelName = 'http' | 'telegram' | 'slack';

/** A file attached to a message. `url` is always a URL a webhook may fetch (never a token-bearing URL). */
export interface Attachment {
  type: string;
  url: string;
  name?: string;
  mimeType?: string;
}

/** One user message, as every channel hands it to the pipeline. */
export interface InboundMessage {
  bot: string;
  channel: ChannelName;
  /** History key part: HTTP conversation_id|user.id, Telegram chat[:from], Slack channel:thread_ts. */
  conversationId: string;
  /** Always present; for HTTP the conversation id. */
  chatId: string;
  messageId?: string;
  user: { id: string; name?: string; username?: string };
  text?: string;
  attachments: Attachment[];
  /** Extra channel metadata merged into the webhook payload's `metadata`. */
  metadata?: Record<string, unknown>;
  requestId: string;
}

/** Failure classes of one webhook attempt. */
export type FailureClass =
  | 'unreachable'
  | 'timeout'
  | 'http_status'
  | 'bad_reply'
  | 'blocked'
  /** Streaming: no non-empty text delta within firstTokenTimeout. */
  | 'first_token_timeout'
  /** Streaming: the gap between two text deltas exceeded idleTimeout. */
  | 'idle_timeout'
  /** Streaming: the stream closed (or broke) before it ended. */
  | 'interrupted'
  /** Streaming: the backend sent an in-band error event. */
  | 'stream_error'
  /** The caller cancelled the attempt (e.g. the client disconnected). */
  | 'cancelled';

/** What the pipeline hands back to the channel. */
export interface OutboundReply {
  content: string;
  attachments: Attachment[];
  metadata?: Record<string, unknown>;
  /** Integration that answered; absent when every attempt failed. */
  integration?: string;
  /** Set when every attempt failed and `content` is the fallback message. */
  error?: { code: string; message: string };
  /**
   * Set when the user is over the bot's `rateLimit`: the webhook was not called. `content` is
   * the notice to send, or empty when it was already sent in this window.
   */
  limited?: { retryAfterSeconds: number };
}

/** A history entry as stored (OpenAI format). */
export type StoredMessage = ChatMessage;
