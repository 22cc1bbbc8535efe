/**
 * Signed, expiring links to files users sent through a channel (served at `GET /files/:token`).
 *
 * A webhook must be able to fetch a Telegram photo or a Slack upload, but the channel's own
 * download URL carries the bot token (Telegram puts it in the path; Slack wants it as a Bearer
 * header). So a channel hands the webhook `${publicUrl}/files/<token>` instead, where the token
 * names the file (channel, bot, channel-specific ref) and an expiry, signed with HMAC-SHA256
 * under a secret shared by all replicas. The runtime verifies the token and asks the channel
 * adapter to stream the file (`ChannelAdapter.openFile`). No channel token is ever inside.
 *
 * Token format: `base64url(JSON payload) + '.' + base64url(HMAC-SHA256(secret, 'swb-file-v1.' + payloadPart))`.
 * The payload is signed, not encrypted: it holds nothing secret (a Telegram file_id, a Slack
 * `url_private`, a name, a MIME type).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChannelName } from '../core/message.js';

/** Default lifetime of a file link: one hour. */
export const DEFAULT_FILE_LINK_TTL_SECONDS = 3600;

const CHANNELS: readonly ChannelName[] = ['http', 'telegram', 'slack'];
const SIGNATURE_CONTEXT = 'swb-file-v1.';
/** A token longer than this is not one we issued (keeps hostile input cheap to reject). */
const MAX_TOKEN_LENGTH = 8192;

/** What a channel signs: enough for the runtime to find the bot and ask its adapter for the file. */
export interface FileLinkTarget {
  channel: ChannelName;
  /** Bot document name. */
  bot: string;
  /** Channel-specific reference (Telegram file_id, Slack url_private or `id:<file id>`). */
  ref: string;
  /** File name suggested to the downloader (Content-Disposition). */
  name?: string;
  mimeType?: string;
}

/** A verified link: the signed target plus its expiry. */
export interface FileRef extends FileLinkTarget {
  /** Expiry, in milliseconds since the epoch. */
  expiresAt: number;
}

export interface FileLinksOptions {
  /** Public base URL of the runtime (SWITCHBOARD_PUBLIC_URL); a trailing slash is ignored. */
  publicUrl: string;
  /** Signing secret shared by every replica (SWITCHBOARD_FILES_SECRET). */
  secret: string;
  /** Link lifetime in seconds; default 3600 (1 hour). */
  ttlSeconds?: number;
  /** Clock in milliseconds, for tests; default `Date.now`. */
  now?: () => number;
}

export interface FileLinks {
  /** Returns the absolute URL `${publicUrl}/files/<token>` for `file`, valid for `ttlSeconds`. */
  sign(file: FileLinkTarget): string;
  /** Returns the target of a token we signed that has not expired, else null. `now` in ms. */
  verify(token: string, now?: number): FileRef | null;
}

interface Payload {
  c: ChannelName;
  b: string;
  r: string;
  n?: string;
  m?: string;
  /** Expiry in seconds since the epoch. */
  e: number;
}

/**
 * Creates the signer/verifier of `/files/<token>` links. The secret must be the same on every
 * replica so a link issued by one is served by another.
 */
export function createFileLinks(options: FileLinksOptions): FileLinks {
  if (!options.secret) throw new TypeError('createFileLinks: secret must not be empty');
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_FILE_LINK_TTL_SECONDS;
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new TypeError('createFileLinks: ttlSeconds must be a positive number');
  const base = options.publicUrl.replace(/\/+$/, '');
  const clock = options.now ?? Date.now;
  const key = Buffer.from(options.secret, 'utf8');

  const mac = (payloadPart: string): Buffer => createHmac('sha256', key).update(SIGNATURE_CONTEXT + payloadPart).digest();

  return {
    sign(file) {
      const payload: Payload = { c: file.channel, b: file.bot, r: file.ref, e: Math.floor(clock() / 1000) + Math.ceil(ttlSeconds) };
      if (file.name !== undefined) payload.n = file.name;
      if (file.mimeType !== undefined) payload.m = file.mimeType;
      const payloadPart = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
      return `${base}/files/${payloadPart}.${mac(payloadPart).toString('base64url')}`;
    },

    verify(token, now) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
      const dot = token.indexOf('.');
      if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
      const payloadPart = token.slice(0, dot);
      const signaturePart = token.slice(dot + 1);
      if (!isBase64Url(payloadPart) || !isBase64Url(signaturePart)) return null;
      const given = Buffer.from(signaturePart, 'base64url');
      const expected = mac(payloadPart);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const payload = parsePayload(Buffer.from(payloadPart, 'base64url').toString('utf8'));
      if (!payload) return null;
      const expiresAt = payload.e * 1000;
      if ((now ?? clock()) >= expiresAt) return null;
      const ref: FileRef = { channel: payload.c, bot: payload.b, ref: payload.r, expiresAt };
      if (payload.n !== undefined) ref.name = payload.n;
      if (payload.m !== undefined) ref.mimeType = payload.m;
      return ref;
    },
  };
}

function isBase64Url(s: string): boolean {
  return s.length > 0 && /^[A-Za-z0-9_-]+$/.test(s);
}

function parsePayload(json: string): Payload | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const p = value as Record<string, unknown>;
  if (typeof p.c !== 'string' || !(CHANNELS as readonly string[]).includes(p.c)) return null;
  if (typeof p.b !== 'string' || typeof p.r !== 'string' || typeof p.e !== 'number' || !Number.isFinite(p.e)) return null;
  if (p.n !== undefined && typeof p.n !== 'string') return null;
  if (p.m !== undefined && typeof p.m !== 'string') return null;
  return p as unknown as Payload;
}
