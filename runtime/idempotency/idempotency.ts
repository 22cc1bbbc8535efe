/**
 * HTTP `Idempotency-Key`: a repeat of a request (same bot, same key, within 24 h) gets the
 * first reply — same status and body — without a second webhook call; a repeat that arrives
 * while the first is in flight waits for it; the same key with a different body is 409.
 * The record store is in memory (one process) or on Redis (shared by replicas).
 */
import { createHash } from 'node:crypto';
import type { ChannelResponse } from '../channels/channel.js';
import { errorResponse } from '../core/errors.js';

/** How long a reply is kept for repeats. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** How long an in-flight record blocks repeats if its request never finishes (its replica died). */
export const IDEMPOTENCY_PENDING_MS = 5 * 60 * 1000;
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** What is recorded under a key: in flight, or finished with its reply. */
export interface IdempotencyRecord {
  fingerprint: string;
  response?: ChannelResponse;
}

export interface IdempotencyStore {
  /** Records `fingerprint` as in flight unless the key has a record; returns the existing record. */
  claim(bot: string, key: string, fingerprint: string): Promise<IdempotencyRecord | undefined>;
  finish(bot: string, key: string, record: Required<IdempotencyRecord>): Promise<void>;
  /** Drops an in-flight record whose request failed without a reply. */
  abandon(bot: string, key: string): Promise<void>;
}

/** The key of a request, undefined when it has none, or the 400 to answer. */
export function idempotencyKeyOf(header: string | string[] | undefined): { key?: string; response?: ChannelResponse } {
  if (header === undefined) return {};
  const key = Array.isArray(header) ? header.join(', ') : header;
  if (!KEY_PATTERN.test(key)) return { response: errorResponse('SWB_ERR_HTTP_BAD_REQUEST', 'The Idempotency-Key header must be 1 to 255 printable ASCII characters') };
  return { key };
}

/** The body's fingerprint: repeats must carry the same bytes. */
export function fingerprintOf(rawBody: Buffer): string {
  return createHash('sha256').update(rawBody).digest('base64url');
}

export interface IdempotentRun {
  store: IdempotencyStore;
  bot: string;
  key: string;
  fingerprint: string;
  /** How often a waiting repeat looks again (default 50 ms). */
  pollMs?: number;
}

/**
 * Runs `run` once per key: answers a repeat with the recorded reply, waits for an in-flight
 * first request, and answers 409 for a different body. A store outage answers 503 (the
 * client can retry with the same key).
 */
export async function runIdempotent(opts: IdempotentRun, run: () => Promise<ChannelResponse>): Promise<ChannelResponse> {
  const { store, bot, key, fingerprint } = opts;
  for (;;) {
    let existing: IdempotencyRecord | undefined;
    try {
      existing = await store.claim(bot, key, fingerprint);
    } catch {
      return errorResponse('SWB_ERR_STORE_UNAVAILABLE', 'The Idempotency-Key could not be checked; retry with the same key');
    }
    if (!existing) break;
    if (existing.fingerprint !== fingerprint) return errorResponse('SWB_ERR_IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was used with a different body');
    if (existing.response) return existing.response;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
  let response: ChannelResponse;
  try {
    response = await run();
  } catch (err) {
    await store.abandon(bot, key).catch(() => undefined);
    throw err;
  }
  const kept: ChannelResponse = { status: response.status, body: response.body ?? '', ...(response.headers ? { headers: response.headers } : {}) };
  await store.finish(bot, key, { fingerprint, response: kept }).catch(() => undefined);
  return response;
}
