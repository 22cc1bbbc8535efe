/**
 * The per-user index: one Redis set (or memory entry) per platform + user id listing every
 * key stored about that user (the history of each of their conversations, their sticky A/B
 * assignments), so export and erasure read one key instead of scanning the keyspace.
 *
 * The index key carries its own hash tag (`{u:<platform>:<user id>}`): on a Redis Cluster it
 * sits in the user's slot, apart from the conversations it lists, and is only ever touched by
 * commands on that one key.
 */
import { createHash } from 'node:crypto';
import type { ChannelName } from '../core/message.js';

/** Ids longer than this are replaced by `#` + their sha256 in the key (as the other keys do). */
const MAX_KEY_ID_LENGTH = 200;

/** One thing the index points at. */
export type UserIndexEntry =
  | { kind: 'history'; bot: string; conversationId: string; key: string }
  | { kind: 'assignment'; bot: string; key: string };

/** The index key of a user (relative to the store's key prefix). */
export function userIndexKey(platform: ChannelName, userId: string): string {
  const id = userId.length > MAX_KEY_ID_LENGTH ? `#${createHash('sha256').update(userId).digest('hex')}` : userId;
  return `{u:${platform}:${id}}:keys`;
}

/** The set member for `entry`: a JSON array, so ids containing any character stay unambiguous. */
export function encodeUserIndexEntry(entry: UserIndexEntry): string {
  return entry.kind === 'history' ? JSON.stringify(['h', entry.bot, entry.key, entry.conversationId]) : JSON.stringify(['a', entry.bot, entry.key]);
}

/** Reads a member back; null for anything this version did not write. */
export function decodeUserIndexEntry(member: string): UserIndexEntry | null {
  let v: unknown;
  try {
    v = JSON.parse(member);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return null;
  const [kind, bot, key, conversationId] = v as string[];
  if (bot === undefined || key === undefined) return null;
  if (kind === 'h' && conversationId !== undefined) return { kind: 'history', bot, key, conversationId };
  if (kind === 'a') return { kind: 'assignment', bot, key };
  return null;
}
