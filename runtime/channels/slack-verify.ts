/**
 * Slack request verification as pure functions with an injectable clock (bolt-js style):
 * `X-Slack-Signature` must be `v0=` + hex HMAC-SHA256(signingSecret, `v0:${timestamp}:${rawBody}`),
 * compared in constant time, and `X-Slack-Request-Timestamp` must be within five minutes of
 * now, either way (replay protection). Any bad, stale, malformed or missing input is a plain
 * `{ ok: false, reason }` — never an exception — so the route answers 401, never 500.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Largest accepted distance between the request timestamp and now. */
export const SLACK_MAX_SKEW_SECONDS = 300;

export type SlackVerifyFailure = 'missing_headers' | 'malformed_timestamp' | 'stale_timestamp' | 'malformed_signature' | 'signature_mismatch';

export type SlackVerifyResult = { ok: true } | { ok: false; reason: SlackVerifyFailure };

export interface SlackVerifyInput {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp` as received (a header may also arrive as an array: rejected). */
  timestamp: string | string[] | undefined;
  /** `X-Slack-Signature` as received. */
  signature: string | string[] | undefined;
  /** The exact bytes of the body. */
  rawBody: Buffer | string;
  /** Current time in ms (default `Date.now()`). */
  nowMs?: number;
  maxSkewSeconds?: number;
}

const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^v0=([0-9a-fA-F]{64})$/;

/** Human-readable text of a failure, safe to return in a 401 body (no secret, no expected value). */
export const slackVerifyMessages: Record<SlackVerifyFailure, string> = {
  missing_headers: 'X-Slack-Signature and X-Slack-Request-Timestamp are required',
  malformed_timestamp: 'X-Slack-Request-Timestamp is not a Unix timestamp',
  stale_timestamp: 'X-Slack-Request-Timestamp is more than 5 minutes away from now',
  malformed_signature: 'X-Slack-Signature is not a v0 signature',
  signature_mismatch: 'X-Slack-Signature does not match the body',
};

/** `v0=` + hex HMAC-SHA256 of `v0:${timestamp}:${rawBody}` (what Slack sends; also used by tests). */
export function computeSlackSignature(signingSecret: string, timestamp: string | number, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

/**
 * The header-only part of the check (presence, formats, freshness), usable before the body is
 * read. Returns null when the headers may be valid.
 */
export function checkSlackHeaders(input: Omit<SlackVerifyInput, 'rawBody' | 'signingSecret'>): SlackVerifyFailure | null {
  const { timestamp, signature } = input;
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || timestamp === '' || signature === '') return 'missing_headers';
  if (!TIMESTAMP.test(timestamp)) return 'malformed_timestamp';
  const nowSeconds = Math.floor((input.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (input.maxSkewSeconds ?? SLACK_MAX_SKEW_SECONDS)) return 'stale_timestamp';
  if (!SIGNATURE.test(signature)) return 'malformed_signature';
  return null;
}

/** Verifies a Slack request signature. Pure: the clock is `nowMs`. */
export function verifySlackSignature(input: SlackVerifyInput): SlackVerifyResult {
  const headerFailure = checkSlackHeaders(input);
  if (headerFailure) return { ok: false, reason: headerFailure };
  if (!input.signingSecret) return { ok: false, reason: 'signature_mismatch' };
  const given = Buffer.from((SIGNATURE.exec(input.signature as string) as RegExpExecArray)[1] as string, 'hex');
  const expected = Buffer.from(computeSlackSignature(input.signingSecret, input.timestamp as string, input.rawBody).slice(3), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature_mismatch' };
  return { ok: true };
}
