/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): a secret is `whsec_` +
 * base64 key bytes; each request carries `webhook-id`, `webhook-timestamp` (unix seconds)
 * and `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`, several
 * space-separated signatures while a secret is being rotated.
 *
 * Pure node:crypto, no runtime imports: `runtime/webhook-kit.ts` (the helper implementers
 * import) uses this file too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/**
 * Decodes a `whsec_…` secret (the prefix is optional, as in the Standard Webhooks
 * libraries) into key bytes. Throws when the key is empty or not base64, so a bad secret
 * is noticed when the integration is first used rather than producing unverifiable requests.
 */
export function decodeSigningSecret(secret: string): Buffer {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw)) throw new Error('signing secret is not "whsec_" followed by base64');
  // Node's base64 decoder accepts both the standard and the URL-safe alphabet.
  const key = Buffer.from(raw, 'base64');
  if (key.length === 0) throw new Error('signing secret is empty');
  return key;
}

/** A fresh message id: `msg_` + 24 random base64url characters. Kept across the single retry. */
export function newWebhookId(): string {
  return `msg_${randomBytes(18).toString('base64url')}`;
}

/** The base64 HMAC-SHA256 of `id.timestamp.body` with one decoded key (no `v1,` prefix). */
export function computeSignature(key: Buffer, id: string, timestamp: number, body: string | Uint8Array): string {
  const hmac = createHmac('sha256', key);
  hmac.update(`${id}.${timestamp}.`);
  hmac.update(body);
  return hmac.digest('base64');
}

/** The `webhook-signature` header value: one `v1,<sig>` per key, space-separated. */
export function signatureHeader(keys: readonly Buffer[], id: string, timestamp: number, body: string | Uint8Array): string {
  return keys.map((key) => `v1,${computeSignature(key, id, timestamp, body)}`).join(' ');
}

/** The three Standard Webhooks headers for one request. */
export function signingHeaders(
  keys: readonly Buffer[],
  id: string,
  timestamp: number,
  body: string | Uint8Array,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(keys, id, timestamp, body),
  };
}

/**
 * Constant-time check that `header` (a `webhook-signature` value) holds a `v1` signature
 * matching one of `keys`. Comparison is on equal-length digests, so timing says nothing
 * about how many bytes matched.
 */
export function signatureMatches(keys: readonly Buffer[], id: string, timestamp: number, body: string | Uint8Array, header: string): boolean {
  const offered: Buffer[] = [];
  for (const token of header.split(' ')) {
    const comma = token.indexOf(',');
    if (comma < 0 || token.slice(0, comma) !== 'v1') continue;
    const sig = Buffer.from(token.slice(comma + 1), 'base64');
    if (sig.length === 32) offered.push(sig);
  }
  let match = false;
  for (const key of keys) {
    const expected = Buffer.from(computeSignature(key, id, timestamp, body), 'base64');
    for (const sig of offered) {
      // Non-short-circuit OR: every comparison runs.
      match = timingSafeEqual(expected, sig) || match;
    }
  }
  return match;
}
