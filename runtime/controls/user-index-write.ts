/**
 * What one turn adds to the user's index (see user-index.ts): the conversation's history
 * key and, when the bot is sticky, the assignment key. It rides in the turn's `endTurn`
 * round trip.
 */
import type { ResolvedBot } from '../config/snapshot.js';
import type { InboundMessage } from '../core/message.js';
import type { UserIndexWrite } from '../store/store.js';
import { encodeUserIndexEntry, userIndexKey } from './user-index.js';

/**
 * The index write of a turn. The index lives as long as the history it lists; with
 * `stickiness: conversation` it also lists that conversation's assignment, which outlives the
 * history, so it then lives as long as the assignment.
 */
export function userIndexWrite(bot: ResolvedBot, message: InboundMessage, historyKey: string, assignment?: { key: string; ttlSeconds: number }): UserIndexWrite {
  const members = [encodeUserIndexEntry({ kind: 'history', bot: bot.name, conversationId: message.conversationId, key: historyKey })];
  let ttlSeconds = Math.ceil(bot.historyTtlMs / 1000);
  if (assignment) {
    members.push(encodeUserIndexEntry({ kind: 'assignment', bot: bot.name, key: assignment.key }));
    if (bot.stickiness === 'conversation') ttlSeconds = Math.max(ttlSeconds, assignment.ttlSeconds);
  }
  return { key: userIndexKey(message.channel, message.user.id), members, ttlSeconds };
}
