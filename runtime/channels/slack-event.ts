/**
 * Pure functions that turn a Slack Events API `event_callback` into an `InboundMessage` (or
 * decide to ignore it). Handled: `message` in DMs (`channel_type: im`, plain or `file_share`)
 * and `app_mention`. Ignored: anything a bot wrote (`bot_id`, `bot_message`, or the bot's own
 * user id), edits, deletions and every other subtype — so the bot can never talk to itself.
 * conversation_id is `channel:thread_ts` (the message `ts` when it starts a thread).
 */
import type { Attachment, InboundMessage } from '../core/message.js';
import { slackEnvelopeSchema, slackEventSchema } from './slack-event-schema.js';

export interface SlackFile {
  id?: string;
  name?: string;
  title?: string;
  mimetype?: string;
  url_private?: string;
  url_private_download?: string;
  mode?: string;
}

export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel: string;
  channel_type?: string;
  user: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  bot_id?: string;
  team?: string;
  files?: SlackFile[];
}

export type SlackTriage =
  | { kind: 'ignore'; reason: string }
  | { kind: 'candidate'; eventId: string; event: SlackMessageEvent; conversationId: string; selfUserId?: string };

const ALLOWED_SUBTYPES = new Set([undefined, 'file_share']);

/** First look at an `event_callback` envelope; needs no API call. */
export function triageSlackEvent(envelope: Record<string, unknown>): SlackTriage {
  const head = slackEnvelopeSchema.safeParse(envelope);
  const rawEvent = envelope.event;
  if (!head.success || typeof rawEvent !== 'object' || rawEvent === null || Array.isArray(rawEvent)) return { kind: 'ignore', reason: 'malformed event_callback' };
  const eventId = head.data.event_id;
  if (eventId === undefined || eventId === '') return { kind: 'ignore', reason: 'malformed event_callback' };
  // A bot marker of any type means a bot wrote it, even when it is not a string.
  const rawFlags = rawEvent as { bot_id?: unknown; subtype?: unknown };
  const parsedEvent = slackEventSchema.safeParse(rawEvent);
  if (!parsedEvent.success) return { kind: 'ignore', reason: 'malformed event' };
  const event: Partial<SlackMessageEvent> = parsedEvent.data;
  const isDm = event.type === 'message' && event.channel_type === 'im';
  if (!isDm && event.type !== 'app_mention') return { kind: 'ignore', reason: `event ${String(event.type)}${event.channel_type ? ` in ${event.channel_type}` : ''}` };
  if (!ALLOWED_SUBTYPES.has(rawFlags.subtype as string | undefined)) return { kind: 'ignore', reason: `subtype ${String(rawFlags.subtype)}` };
  if (rawFlags.bot_id) return { kind: 'ignore', reason: 'message from a bot' };
  if (typeof event.user !== 'string' || typeof event.channel !== 'string' || typeof event.ts !== 'string') return { kind: 'ignore', reason: 'message without user, channel or ts' };
  const selfUserId = head.data.authorizations?.[0]?.user_id;
  if (selfUserId !== undefined && event.user === selfUserId) return { kind: 'ignore', reason: 'own message' };
  const hasText = typeof event.text === 'string' && event.text.trim() !== '';
  if (!hasText && !(Array.isArray(event.files) && event.files.length > 0)) return { kind: 'ignore', reason: 'no text or files' };
  const threadTs = typeof event.thread_ts === 'string' && event.thread_ts !== '' ? event.thread_ts : event.ts;
  const triage: SlackTriage = { kind: 'candidate', eventId, event: event as SlackMessageEvent, conversationId: `${event.channel}:${threadTs}` };
  if (selfUserId !== undefined) triage.selfUserId = selfUserId;
  return triage;
}

/**
 * Makes Slack's text plain for a webhook: removes the bot's own `<@U…>` mention (any leading
 * mention when the bot's id is unknown) and decodes `&lt;`, `&gt;`, `&amp;`. Keeps the text
 * as is if nothing would be left.
 */
export function cleanSlackText(text: string, selfUserId: string | undefined, isMention: boolean): string {
  let out = text;
  if (selfUserId !== undefined) {
    out = out.replace(new RegExp(`<@${escapeRegExp(selfUserId)}(\\|[^>]*)?>`, 'g'), '');
  } else if (isMention) {
    out = out.replace(/^\s*<@[A-Z0-9]+(\|[^>]*)?>/, '');
  }
  out = out.replace(/[ \t]{2,}/g, ' ').trim();
  if (out === '') out = text.trim();
  return out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Signs a `/files/...` link for a Slack file (the caller's `ctx.fileUrl` bound to channel + bot). */
export type SlackFileSigner = (file: { ref: string; name: string; mimeType: string }) => string;

/** The message's files as attachments; the ref is the `url_private` (or `_download`), else `id:<file id>`. */
export function slackAttachments(files: readonly SlackFile[] | undefined, sign: SlackFileSigner): Attachment[] {
  const out: Attachment[] = [];
  for (const f of files ?? []) {
    if (f.mode === 'tombstone' || f.mode === 'hidden_by_limit') continue;
    const ref = f.url_private ?? f.url_private_download ?? (f.id ? `id:${f.id}` : undefined);
    if (!ref) continue;
    const mimeType = f.mimetype || 'application/octet-stream';
    const name = f.name || f.title || f.id || 'file';
    out.push({ type: attachmentType(mimeType), url: sign({ ref, name, mimeType }), name, mimeType });
  }
  return out;
}

/** Builds the pipeline's `InboundMessage` from a candidate event. */
export function slackInbound(
  event: SlackMessageEvent,
  opts: { bot: string; conversationId: string; requestId: string; selfUserId?: string; sign: SlackFileSigner },
): InboundMessage {
  const metadata: Record<string, unknown> = { channel_type: event.channel_type ?? (event.type === 'app_mention' ? 'channel' : 'im') };
  metadata.thread_ts = event.thread_ts ?? event.ts;
  if (event.team) metadata.team = event.team;
  const inbound: InboundMessage = {
    bot: opts.bot,
    channel: 'slack',
    conversationId: opts.conversationId,
    chatId: event.channel,
    messageId: event.ts,
    user: { id: event.user },
    attachments: slackAttachments(event.files, opts.sign),
    metadata,
    requestId: opts.requestId,
  };
  if (typeof event.text === 'string' && event.text.trim() !== '') inbound.text = cleanSlackText(event.text, opts.selfUserId, event.type === 'app_mention');
  return inbound;
}

function attachmentType(mime: string): string {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'file';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
