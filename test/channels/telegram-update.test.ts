import { describe, expect, it } from 'vitest';
import { isAddressedToBot, stripBotMentions, telegramAttachments, triageUpdate, type TgMessage } from '../../runtime/channels/telegram-update.js';

const ME = { id: 777, username: 'SwitchBot' };
const sign = (f: { ref: string; name: string; mimeType: string }) => `https://x/files/${f.ref}`;

function group(extra: Partial<TgMessage>): TgMessage {
  return { message_id: 5, chat: { id: -1, type: 'group' }, from: { id: 9, first_name: 'G' }, ...extra };
}

describe('triageUpdate', () => {
  it('computes the conversation id per chat type', () => {
    const priv = triageUpdate({ update_id: 1, message: { message_id: 1, chat: { id: 12, type: 'private' }, from: { id: 12 }, text: 'hi' } }, 777);
    expect(priv).toMatchObject({ kind: 'candidate', conversationId: '12', private: true, needsIdentity: false });
    const g = triageUpdate({ update_id: 2, message: group({ text: '@SwitchBot hi', entities: [{ type: 'mention', offset: 0, length: 10 }] }) }, 777);
    expect(g).toMatchObject({ kind: 'candidate', conversationId: '-1:9', private: false, needsIdentity: true });
  });

  it('recognises replies to the bot from the token id alone', () => {
    expect(triageUpdate({ update_id: 3, message: group({ text: 'ok', reply_to_message: { from: { id: 777, is_bot: true } } }) }, 777)).toMatchObject({ kind: 'candidate', needsIdentity: false });
    expect(triageUpdate({ update_id: 4, message: group({ text: 'ok', reply_to_message: { from: { id: 5 } } }) }, 777)).toEqual({ kind: 'ignore', reason: 'group message not addressed to the bot' });
  });

  it('ignores what it cannot answer, saying why', () => {
    expect(triageUpdate({ update_id: 5, edited_message: {} }, 777)).toEqual({ kind: 'ignore', reason: 'unsupported update type (edited_message)' });
    expect(triageUpdate({ update_id: 6 }, 777)).toEqual({ kind: 'ignore', reason: 'unsupported update type (empty)' });
    expect(triageUpdate({ update_id: 7, message: { message_id: 1, chat: { id: 1, type: 'private' }, text: 'x' } }, 777)).toEqual({ kind: 'ignore', reason: 'message without sender' });
    expect(triageUpdate({ update_id: 8, message: { message_id: 1, chat: { id: 1, type: 'channel' }, from: { id: 2 }, text: 'x' } }, 777)).toEqual({ kind: 'ignore', reason: 'chat type channel' });
    expect(triageUpdate({ update_id: 9, message: { message_id: 1, chat: { id: 1, type: 'private' }, from: { id: 2 }, new_chat_members: [] } }, 777)).toEqual({ kind: 'ignore', reason: 'no text or supported file' });
  });
});

describe('isAddressedToBot', () => {
  it('matches @username case-insensitively, commands for it, text mentions of its id', () => {
    expect(isAddressedToBot(group({ text: 'hey @switchbot', entities: [{ type: 'mention', offset: 4, length: 10 }] }), ME)).toBe(true);
    expect(isAddressedToBot(group({ text: 'hey @otherbot', entities: [{ type: 'mention', offset: 4, length: 9 }] }), ME)).toBe(false);
    expect(isAddressedToBot(group({ text: '/help', entities: [{ type: 'bot_command', offset: 0, length: 5 }] }), ME)).toBe(true);
    expect(isAddressedToBot(group({ text: 'see /help', entities: [{ type: 'bot_command', offset: 4, length: 5 }] }), ME)).toBe(false);
    expect(isAddressedToBot(group({ text: 'Switch hi', entities: [{ type: 'text_mention', offset: 0, length: 6, user: { id: 777 } }] }), ME)).toBe(true);
    expect(isAddressedToBot(group({ caption: '@SwitchBot look', caption_entities: [{ type: 'mention', offset: 0, length: 10 }] }), ME)).toBe(true);
  });
});

describe('stripBotMentions', () => {
  it('removes the bot mention using UTF-16 offsets (emoji before it)', () => {
    const text = '😀 @SwitchBot what is 2+2?';
    expect(stripBotMentions(text, [{ type: 'mention', offset: 3, length: 10 }], ME)).toBe('😀 what is 2+2?');
  });

  it('keeps other mentions, shortens its commands, and keeps the text when only the mention was there', () => {
    expect(stripBotMentions('@SwitchBot ask @alice', [{ type: 'mention', offset: 0, length: 10 }, { type: 'mention', offset: 15, length: 6 }], ME)).toBe('ask @alice');
    expect(stripBotMentions('/ask@SwitchBot now', [{ type: 'bot_command', offset: 0, length: 14 }], ME)).toBe('/ask now');
    expect(stripBotMentions('@SwitchBot', [{ type: 'mention', offset: 0, length: 10 }], ME)).toBe('@SwitchBot');
  });
});

describe('telegramAttachments', () => {
  it('maps documents, audio, voice and video with names and MIME types', () => {
    const msg: TgMessage = {
      message_id: 3,
      chat: { id: 1, type: 'private' },
      document: { file_id: 'D', file_name: 'scan.png', mime_type: 'image/png' },
      voice: { file_id: 'V', mime_type: 'audio/ogg' },
      audio: { file_id: 'A' },
      video: { file_id: 'M', file_name: 'clip.mp4', mime_type: 'video/mp4' },
    };
    expect(telegramAttachments(msg, sign)).toEqual([
      { type: 'image', url: 'https://x/files/D', name: 'scan.png', mimeType: 'image/png' },
      { type: 'audio', url: 'https://x/files/A', name: 'audio-3.mp3', mimeType: 'audio/mpeg' },
      { type: 'audio', url: 'https://x/files/V', name: 'voice-3.ogg', mimeType: 'audio/ogg' },
      { type: 'video', url: 'https://x/files/M', name: 'clip.mp4', mimeType: 'video/mp4' },
    ]);
  });
});

describe('triageUpdate with badly typed fields', () => {
  it.each([['a string', 'mention'], ['a number', 42], ['an object', { type: 'mention' }], ['[null]', [null]]])('drops entities given as %s instead of throwing', (_name, entities) => {
    const t = triageUpdate({ update_id: 20, message: group({ text: '@SwitchBot hi', entities: entities as never }) }, 777);
    expect(t).toEqual({ kind: 'ignore', reason: 'group message not addressed to the bot' });
  });

  it('keeps the well-formed entities next to a null one', () => {
    const t = triageUpdate({ update_id: 21, message: group({ text: '@SwitchBot hi', entities: [null, { type: 'mention', offset: 0, length: 10 }] as never }) }, 777);
    expect(t).toMatchObject({ kind: 'candidate', needsIdentity: true });
  });

  it('drops a mime_type object and keeps the document', () => {
    const t = triageUpdate({ update_id: 22, message: { message_id: 3, chat: { id: 1, type: 'private' }, from: { id: 2 }, document: { file_id: 'D', mime_type: { x: 1 }, file_name: 7 } } }, 777);
    if (t.kind !== 'candidate') throw new Error(`ignored: ${t.reason}`);
    expect(telegramAttachments(t.message, sign)).toEqual([{ type: 'file', url: 'https://x/files/D', name: 'document-3', mimeType: 'application/octet-stream' }]);
  });

  it('treats a mistyped is_bot as a bot (never answers one)', () => {
    expect(triageUpdate({ update_id: 23, message: { message_id: 1, chat: { id: 1, type: 'private' }, from: { id: 2, is_bot: 'yes' }, text: 'x' } }, 777)).toEqual({ kind: 'ignore', reason: 'message from a bot' });
  });

  it('ignores a message whose required fields are mistyped', () => {
    expect(triageUpdate({ update_id: 24, message: { message_id: '1', chat: { id: 1, type: 'private' }, from: { id: 2 }, text: 'x' } }, 777)).toEqual({ kind: 'ignore', reason: 'malformed message' });
    expect(triageUpdate({ update_id: 25, message: { message_id: 1, chat: [null], from: { id: 2 }, text: 'x' } }, 777)).toEqual({ kind: 'ignore', reason: 'malformed message' });
  });
});
