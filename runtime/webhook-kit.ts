/**
 * Helpers for people who implement a Switchboard webhook (package subpath
 * `switchboard/webhook`): signature verification and the payload/reply types.
 *
 * ```ts
 * import { verifyWebhook, type WebhookRequest, type WebhookReply } from 'switchboard/webhook';
 * if (!verifyWebhook(process.env.WEBHOOK_SECRET!, req.headers, rawBody)) return reply.code(401).send();
 * ```
 *
 * Verify the RAW body bytes exactly as received: re-serialised JSON does not match.
 */
import { decodeSigningSecret, signatureMatches } from './webhook/signing.js';

export type { WebhookReply, WebhookRequest, WebhookStreamEvent } from '../schema/generated/webhook.js';

/** Request headers: Node's IncomingHttpHeaders, a plain record, or WHATWG `Headers`. */
export type HeaderSource = Readonly<Record<string, string | string[] | undefined>> | { get(name: string): string | null };

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, either way (replay protection). Default 300. */
  toleranceSeconds?: number;
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | string[] | undefined>>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  return Array.isArray(value) ? value[0] : value;
}

/**
 * True when the request carries a valid Standard Webhooks signature: `webhook-id`,
 * `webhook-timestamp` within `toleranceSeconds` of now, and a `webhook-signature` entry
 * (`v1,<base64>`) matching HMAC-SHA256 of `id.timestamp.rawBody` under one of `secrets`
 * (`whsec_…`; pass several during a rotation). Compares in constant time. Never throws on
 * bad input: a malformed header or secret yields false.
 */
export function verifyWebhook(
  secrets: string | readonly string[],
  headers: HeaderSource,
  rawBody: string | Uint8Array,
  options: VerifyOptions = {},
): boolean {
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  if (!id || !timestampText || !signature || !/^\d{1,12}$/.test(timestampText)) return false;
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const keys: Buffer[] = [];
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    try {
      keys.push(decodeSigningSecret(secret));
    } catch {
      // a malformed secret matches nothing
    }
  }
  if (keys.length === 0) return false;
  return signatureMatches(keys, id, timestamp, rawBody, signature);
}
