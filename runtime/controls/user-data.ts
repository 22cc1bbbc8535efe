/**
 * Export and erasure of everything stored about one user (platform + user id): the history
 * of each of their conversations and their sticky A/B assignments, found through the
 * per-user index (no keyspace scan), plus the assignments and rate-limit state whose keys
 * follow from the user id alone. Every key is read or deleted with its own command, so
 * nothing here is a cross-slot command on a Redis Cluster.
 */
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { ChannelName, StoredMessage } from '../core/message.js';
import { rateLimitKey, type RateLimiter } from '../rate-limit/rate-limiter.js';
import { assignmentKey } from '../routing/plan.js';
import type { Store } from '../store/store.js';
import { decodeUserIndexEntry, userIndexKey, type UserIndexEntry } from './user-index.js';

export interface UserDataDeps {
  store: Store;
  limiter: RateLimiter;
  snapshot: ConfigSnapshot;
}

export interface UserRef {
  channel: ChannelName;
  userId: string;
  /** Only this bot's data. */
  bot?: string;
}

export interface UserExport {
  user: { channel: ChannelName; id: string };
  conversations: { bot: string; conversation_id: string; messages: { role: string; content: StoredMessage['content'] }[] }[];
}

/** The index entries of `ref` (raw member and decoded entry), limited to `ref.bot` when given. */
async function indexedEntries(store: Store, ref: UserRef): Promise<{ member: string; entry: UserIndexEntry }[]> {
  const out: { member: string; entry: UserIndexEntry }[] = [];
  for (const member of await store.readUserIndex(userIndexKey(ref.channel, ref.userId))) {
    const entry = decodeUserIndexEntry(member);
    if (entry && (ref.bot === undefined || entry.bot === ref.bot)) out.push({ member, entry });
  }
  return out;
}

/** Every stored conversation of the user that still has messages, with its messages. */
export async function exportUser(deps: UserDataDeps, ref: UserRef): Promise<UserExport> {
  const seen = new Set<string>();
  const histories: Extract<UserIndexEntry, { kind: 'history' }>[] = [];
  for (const { entry } of await indexedEntries(deps.store, ref)) {
    if (entry.kind !== 'history' || seen.has(entry.key)) continue;
    seen.add(entry.key);
    histories.push(entry);
  }
  histories.sort((a, b) => a.bot.localeCompare(b.bot) || a.conversationId.localeCompare(b.conversationId));
  const read = await Promise.all(histories.map((h) => deps.store.readHistory(h.key)));
  const conversations: UserExport['conversations'] = [];
  histories.forEach((h, i) => {
    const messages = read[i] ?? [];
    if (messages.length > 0) conversations.push({ bot: h.bot, conversation_id: h.conversationId, messages: messages.map((m) => ({ role: m.role, content: m.content })) });
  });
  return { user: { channel: ref.channel, id: ref.userId }, conversations };
}

/** Deletes each key with its own command; resolves with how many existed. */
async function deleteEach(store: Store, keys: Iterable<string>): Promise<number> {
  const results = await Promise.all([...new Set(keys)].map((k) => store.deleteKey(k)));
  return results.filter(Boolean).length;
}

/**
 * Erases the user's histories, assignments and rate-limit state (for `ref.bot`, or for every
 * bot in the index and in the snapshot), then their index entries. The index goes last, so a
 * failure half-way leaves it for a retry to finish the job.
 */
export async function eraseUser(deps: UserDataDeps, ref: UserRef): Promise<{ conversations: number; assignments: number }> {
  const { store } = deps;
  const indexed = await indexedEntries(store, ref);
  const bots = new Set<string>(ref.bot !== undefined ? [ref.bot] : [...deps.snapshot.bots.keys(), ...indexed.map((e) => e.entry.bot)]);
  const historyKeys = indexed.filter((e) => e.entry.kind === 'history').map((e) => e.entry.key);
  const assignmentKeys = indexed.filter((e) => e.entry.kind === 'assignment').map((e) => e.entry.key);
  // `stickiness: user` assignments follow from the user id: found even without the index.
  for (const bot of bots) assignmentKeys.push(assignmentKey(bot, `user:${ref.channel}:${ref.userId}`));
  const [conversations, assignments] = await Promise.all([deleteEach(store, historyKeys), deleteEach(store, assignmentKeys)]);
  await Promise.all([...bots].map((bot) => deps.limiter.reset(rateLimitKey({ bot, platform: ref.channel, userId: ref.userId }))));
  const indexKey = userIndexKey(ref.channel, ref.userId);
  if (ref.bot === undefined) await store.deleteKey(indexKey);
  else await store.removeFromUserIndex(indexKey, indexed.map((e) => e.member));
  return { conversations, assignments };
}
