import { describe, expect, it } from 'vitest';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import type { ChatMessage, InboundMessage } from '../../runtime/core/message.js';
import { payloadJson } from '../../runtime/core/payload-json.js';
import { buildPayload } from '../../runtime/pipeline/payload.js';

const bot = (over: Partial<ResolvedBot> = {}): ResolvedBot =>
  ({
    name: 'support',
    displayName: 'Support "bot" ✓',
    systemPrompt: 'Be brief.\nAnswer in "plain" text — 日本語 ok',
    contextWindow: 3,
    channels: { http: {} },
    integrations: [{ name: 'a', weight: 1, fallback: false }],
    stickiness: 'user',
    fallbackMessage: 'sorry',
    source: { file: 'x.yaml', line: 1, column: 1 },
    ...over,
  }) as ResolvedBot;

const message: InboundMessage = {
  bot: 'support',
  channel: 'telegram',
  conversationId: 'c-1',
  chatId: '42',
  messageId: '7',
  user: { id: 'u-1', name: 'Ann \u2028 Lee', username: 'ann' },
  text: 'hi',
  attachments: [],
  metadata: { chat_type: 'private' },
  requestId: 'req_1',
};

const stored: ChatMessage[] = [
  { role: 'user', content: 'first \u0000 "quoted" \\ back' },
  { role: 'assistant', content: 'second 😀' },
  { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'https://e.example/a.png' } }] },
  { role: 'assistant', content: 'fourth' },
];
const current: ChatMessage = { role: 'user', content: 'now </script> \ud83d\ude00' };

describe('buildPayload from stored JSON text', () => {
  for (const b of [bot(), bot({ systemPrompt: undefined }), bot({ contextWindow: 10 }), bot({ contextWindow: 1 })]) {
    it(`serializes byte for byte like the parsed payload (systemPrompt ${b.systemPrompt ? 'set' : 'unset'}, window ${b.contextWindow})`, () => {
      const parsed = buildPayload(b, message, stored, current);
      const fromText = buildPayload(b, message, stored.map((m) => JSON.stringify(m)), current);
      expect(payloadJson(fromText)).toBe(JSON.stringify(parsed));
      expect(JSON.stringify(fromText)).toBe(JSON.stringify(parsed));
      expect(fromText).toEqual(parsed); // messages materialize on read
      expect(fromText.messages.at(-1)).toBe(current);
    });
  }

  it('serializes what is there after messages are read or replaced, or a key is added', () => {
    const fromText = buildPayload(bot(), message, stored.map((m) => JSON.stringify(m)), current);
    fromText.messages = [{ role: 'user', content: 'replaced' }];
    expect(payloadJson(fromText)).toBe(JSON.stringify(fromText));
    expect(JSON.parse(payloadJson(fromText)).messages).toEqual([{ role: 'user', content: 'replaced' }]);

    const mutated = buildPayload(bot(), message, stored.map((m) => JSON.stringify(m)), current);
    mutated.metadata.test = true;
    (mutated as unknown as Record<string, unknown>).extra = 1;
    expect(payloadJson(mutated)).toBe(JSON.stringify(buildPayload(bot(), message, stored, current)).replace(/}}$/, ',"test":true},"extra":1}'));
  });

  it('a payload built from parsed messages is serialized by JSON.stringify', () => {
    const parsed = buildPayload(bot(), message, stored, current);
    expect(payloadJson(parsed)).toBe(JSON.stringify(parsed));
    expect(parsed.messages[0]).toEqual({ role: 'system', content: bot().systemPrompt });
    expect(parsed.messages).toHaveLength(1 + 3 + 1);
  });
});
