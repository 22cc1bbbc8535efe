/**
 * `type: echo`: built in, no HTTP. Replies with the text of the user's current message,
 * so a channel can be tested without any AI backend.
 */
import type { WebhookReply, WebhookRequest } from '../core/message.js';
import { parseCustomReply } from './custom.js';
import { lastUserMessage, partsOf } from './parts.js';
import type { Provider } from './provider.js';

/**
 * The echo reply: the last user message's text parts joined by newlines; when it has no
 * text, says what arrived instead (e.g. "(received 1 attachment)").
 */
export function echoReply(payload: WebhookRequest): WebhookReply {
  const message = lastUserMessage(payload);
  if (!message) return { content: '(no user message)' };
  const parts = partsOf(message.content);
  const text = parts
    .flatMap((p) => (p.type === 'text' ? [p.text] : []))
    .join('\n');
  if (text.trim() !== '') return { content: text };
  const attachments = parts.filter((p) => p.type !== 'text').length;
  if (attachments === 0) return { content: '(empty message)' };
  return { content: `(received ${attachments} attachment${attachments === 1 ? '' : 's'})` };
}

export const echoProvider: Provider = {
  type: 'echo',
  // Never dispatched (the client calls answerLocally); kept total so the interface holds.
  buildRequest(payload) {
    return { body: JSON.stringify(payload), headers: {} };
  },
  parseReply: parseCustomReply,
  answerLocally: echoReply,
};
