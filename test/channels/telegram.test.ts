import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTelegramAdapter, telegramAdapter } from '../../runtime/channels/telegram.js';
import type { ChannelAdapter } from '../../runtime/channels/channel.js';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import { bot as makeBot } from '../helpers/snapshot.js';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { waitFor } from '../helpers/config-tree.js';
import { createTestContext, type TestContext } from './channel-test-context.js';

const SECRET = 'tg-webhook-secret-0123456789';
const HEADERS = { 'X-Telegram-Bot-Api-Secret-Token': SECRET };

let fake: FakeTelegram;
let tc: TestContext;
let bot: ResolvedBot;
let adapter: ChannelAdapter;

function privateUpdate(updateId: number, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    update_id: updateId,
    message: { message_id: 10 + updateId, date: 1, chat: { id: 4242, type: 'private' }, from: { id: 4242, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada' }, text, ...extra },
  };
}

function groupUpdate(updateId: number, message: Record<string, unknown>): Record<string, unknown> {
  return { update_id: updateId, message: { message_id: 500 + updateId, date: 1, chat: { id: -100777, type: 'supergroup' }, from: { id: 99, is_bot: false, first_name: 'Bob' }, ...message } };
}

beforeEach(async () => {
  fake = await startFakeTelegram();
  bot = makeBot('support', { channels: { telegram: { token: fake.token, secretToken: SECRET, apiUrl: fake.url } }, fallbackMessage: 'Sorry, try later.' });
  tc = createTestContext([bot]);
  adapter = createTelegramAdapter({ typingIntervalMs: 4000 });
});

afterEach(async () => {
  await tc.close();
  await fake.close();
});

describe('telegram authenticate', () => {
  it('accepts only the exact secret token, compared in constant time', () => {
    expect(adapter.authenticate?.({ 'x-telegram-bot-api-secret-token': SECRET }, bot)).toBe(true);
    expect(adapter.authenticate?.({ 'x-telegram-bot-api-secret-token': `${SECRET}x` }, bot)).toBe(false);
    expect(adapter.authenticate?.({ 'x-telegram-bot-api-secret-token': SECRET.slice(0, -1) }, bot)).toBe(false);
    expect(adapter.authenticate?.({ 'x-telegram-bot-api-secret-token': '' }, bot)).toBe(false);
    expect(adapter.authenticate?.({}, bot)).toBe(false);
    expect(adapter.authenticate?.({ 'x-telegram-bot-api-secret-token': SECRET }, makeBot('nochannel'))).toBe(false);
  });

  it('handle also refuses a bad secret with 401 and processes nothing', async () => {
    const res = await tc.handle(adapter, tc.request(privateUpdate(1, 'hi'), { 'X-Telegram-Bot-Api-Secret-Token': 'nope' }), bot);
    expect(res.status).toBe(401);
    await tc.settle();
    expect(tc.processed).toEqual([]);
    expect(tc.store.claims.size).toBe(0);
  });
});

describe('telegram private chats', () => {
  it('acks 200 before the webhook answers, then replies with sendMessage', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    tc.setProcess(async (m) => {
      await gate;
      return { content: `echo: ${m.text}`, attachments: [], integration: 'echo' };
    });
    const res = await tc.handle(adapter, tc.request(privateUpdate(1, 'hello there'), HEADERS), bot);
    expect(res).toEqual({ status: 200 });
    expect(fake.callsOf('sendMessage')).toEqual([]);
    await fake.waitFor('sendChatAction');
    release();
    await tc.settle();
    expect(tc.processed).toEqual([
      {
        bot: 'support',
        channel: 'telegram',
        conversationId: '4242',
        chatId: '4242',
        messageId: '11',
        user: { id: '4242', name: 'Ada Lovelace', username: 'ada' },
        text: 'hello there',
        attachments: [],
        metadata: { chat_type: 'private' },
        requestId: 'req_1',
      },
    ]);
    expect(tc.keys).toEqual(['telegram:support:4242']);
    expect(fake.callsOf('sendMessage').map((c) => c.params)).toEqual([{ chat_id: 4242, text: 'echo: hello there' }]);
    expect(fake.callsOf('sendChatAction')[0]?.params).toEqual({ chat_id: 4242, action: 'typing' });
    expect(fake.callsOf('getMe')).toEqual([]);
  });

  it('processes a re-delivered update_id once', async () => {
    const update = privateUpdate(7, 'once');
    expect((await tc.handle(adapter, tc.request(update, HEADERS), bot)).status).toBe(200);
    expect((await tc.handle(adapter, tc.request(update, HEADERS), bot)).status).toBe(200);
    await tc.settle();
    expect(tc.processed.map((m) => m.text)).toEqual(['once']);
    expect(fake.callsOf('sendMessage')).toHaveLength(1);
    expect([...tc.store.claims.keys()]).toEqual(['tg:support:7']);
  });

  it('answers 503 while the store cannot record the update, and processes the re-send', async () => {
    tc.store.down = true;
    const res = await tc.handle(adapter, tc.request(privateUpdate(8, 'during outage'), HEADERS), bot);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'SWB_ERR_STORE_UNAVAILABLE', message: 'The history store is unavailable' } });
    await tc.settle();
    expect(tc.processed).toEqual([]);
    tc.store.down = false;
    expect((await tc.handle(adapter, tc.request(privateUpdate(8, 'during outage'), HEADERS), bot)).status).toBe(200);
    await tc.settle();
    expect(tc.processed.map((m) => m.text)).toEqual(['during outage']);
  });

  it('releases the claim and answers 503 when processing cannot start', async () => {
    tc.refuseBackground = true;
    const res = await tc.handle(adapter, tc.request(privateUpdate(9, 'x'), HEADERS), bot);
    expect(res.status).toBe(503);
    expect(tc.store.released).toEqual(['tg:support:9']);
    expect(tc.store.claims.size).toBe(0);
  });

  it('sends the fallback message when the pipeline throws', async () => {
    tc.setProcess(async () => {
      throw new Error('boom');
    });
    await tc.handle(adapter, tc.request(privateUpdate(2, 'hi'), HEADERS), bot);
    await tc.settle();
    expect(fake.callsOf('sendMessage').map((c) => c.params.text)).toEqual(['Sorry, try later.']);
  });

  it('still answers with the fallback message when the message cannot be built (file links not configured)', async () => {
    tc.ctx.fileUrl = () => {
      throw new Error('file links are not configured');
    };
    await tc.handle(adapter, tc.request(privateUpdate(13, '', { text: undefined, document: { file_id: 'd', file_name: 'a.pdf', mime_type: 'application/pdf' } }), HEADERS), bot);
    await tc.settle();
    expect(tc.processed).toEqual([]);
    expect(fake.callsOf('sendMessage').map((c) => c.params.text)).toEqual(['Sorry, try later.']);
  });

  it('delivers the content of a fallback reply like any other', async () => {
    tc.setProcess(async () => ({ content: 'Sorry, try later.', attachments: [], error: { code: 'SWB_ERR_WEBHOOK_TIMEOUT', message: 'timeout' } }));
    await tc.handle(adapter, tc.request(privateUpdate(3, 'hi'), HEADERS), bot);
    await tc.settle();
    expect(fake.callsOf('sendMessage').map((c) => c.params.text)).toEqual(['Sorry, try later.']);
  });

  it('splits long replies at 4096 characters on word boundaries', async () => {
    const long = Array.from({ length: 900 }, (_, i) => `token${i}`).join(' ');
    tc.setProcess(async () => ({ content: long, attachments: [] }));
    await tc.handle(adapter, tc.request(privateUpdate(4, 'long please'), HEADERS), bot);
    await tc.settle();
    const texts = fake.callsOf('sendMessage').map((c) => String(c.params.text));
    expect(texts.length).toBe(2);
    expect(texts.every((t) => t.length <= 4096)).toBe(true);
    expect(texts.join(' ')).toBe(long);
  });

  it('sends reply attachments by URL and falls back to a link when Telegram refuses one', async () => {
    tc.setProcess(async () => ({
      content: 'here',
      attachments: [
        { type: 'image', url: 'https://cdn.example.com/a.png' },
        { type: 'file', url: 'https://cdn.example.com/r.pdf', name: 'report.pdf' },
        { type: 'image', url: 'https://cdn.example.com/broken.png', name: 'broken.png' },
      ],
    }));
    fake.fail('sendPhoto', { error_code: 400, description: 'Bad Request: wrong file identifier/HTTP URL specified' }, 1);
    fake.delay('sendPhoto', 0);
    await tc.handle(adapter, tc.request(privateUpdate(5, 'files'), HEADERS), bot);
    await tc.settle();
    const sends = fake.calls.filter((c) => c.method.startsWith('send') && c.method !== 'sendChatAction').map((c) => [c.method, c.params]);
    expect(sends).toEqual([
      ['sendMessage', { chat_id: 4242, text: 'here' }],
      ['sendPhoto', { chat_id: 4242, photo: 'https://cdn.example.com/a.png' }],
      ['sendMessage', { chat_id: 4242, text: 'https://cdn.example.com/a.png' }],
      ['sendDocument', { chat_id: 4242, document: 'https://cdn.example.com/r.pdf' }],
      ['sendPhoto', { chat_id: 4242, photo: 'https://cdn.example.com/broken.png' }],
    ]);
  });

  it('logs Telegram API errors with error_code and description, never the token', async () => {
    fake.fail('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    await tc.handle(adapter, tc.request(privateUpdate(6, 'hi'), HEADERS), bot);
    await tc.settle();
    const line = tc.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'Telegram API error');
    expect(line).toMatchObject({ channel: 'telegram', method: 'sendMessage', error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(tc.lines.join('\n')).not.toContain(fake.token.split(':')[1]);
  });

  it('never logs the token when the Bot API is unreachable', async () => {
    const deadBot = makeBot('support', { channels: { telegram: { token: fake.token, secretToken: SECRET, apiUrl: 'http://127.0.0.1:1' } } });
    await tc.handle(adapter, tc.request(privateUpdate(12, 'hi'), HEADERS), deadBot);
    await tc.settle();
    const failures = tc.lines.filter((l) => l.includes('Telegram API call failed'));
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toContain('sendMessage');
    expect(tc.lines.join('\n')).not.toContain(fake.token.split(':')[1]);
  });

  it('honours retry_after on 429 and gives up past the cap', async () => {
    const waits: Array<{ ms: number; sendsSoFar: number }> = [];
    const sleep = async (ms: number): Promise<void> => {
      waits.push({ ms, sendsSoFar: fake.callsOf('sendMessage').length });
    };
    const capped = createTelegramAdapter({ maxRetryAfterSeconds: 5, sleep });
    fake.fail('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    await tc.handle(capped, tc.request(privateUpdate(20, 'a'), HEADERS), bot);
    await tc.settle();
    const sends = fake.callsOf('sendMessage');
    expect(sends).toHaveLength(2);
    expect(waits).toEqual([{ ms: 1000, sendsSoFar: 1 }]);

    fake.fail('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 60', retry_after: 60 });
    await tc.handle(capped, tc.request(privateUpdate(21, 'b'), HEADERS), bot);
    await tc.settle();
    expect(fake.callsOf('sendMessage')).toHaveLength(3);
    expect(waits).toHaveLength(1);
    expect(tc.lines.some((l) => l.includes('"error_code":429') && l.includes('retry after 60'))).toBe(true);
  });

  it('repeats typing while the webhook works and stops when it is done', async () => {
    // Only the typing interval runs on the fake clock; HTTP and waitFor keep real timers.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const fast = createTelegramAdapter({ typingIntervalMs: 40 });
      const typing = (): number => fake.callsOf('sendChatAction').length;
      tc.setProcess(async () => {
        for (let n = 1; n <= 3; n++) {
          await waitFor(() => typing() >= n, 5000, `typing action #${n}`);
          expect(typing()).toBe(n);
          vi.advanceTimersByTime(40);
        }
        await waitFor(() => typing() >= 4, 5000, 'typing action #4');
        return { content: 'done', attachments: [] };
      });
      await tc.handle(fast, tc.request(privateUpdate(22, 'slow'), HEADERS), bot);
      await tc.settle();
      expect(fake.callsOf('sendMessage')).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(400);
      expect(typing()).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('telegram files', () => {
  it('turns the largest photo into a signed link that streams from Telegram without the token', async () => {
    fake.addFile('big-photo', Buffer.from('JPEGDATA'), { name: 'file_1.jpg', contentType: 'image/jpeg' });
    const update = privateUpdate(30, '', {
      text: undefined,
      caption: 'what is this?',
      photo: [
        { file_id: 'small-photo', file_unique_id: 'u1', width: 90, height: 90, file_size: 100 },
        { file_id: 'big-photo', file_unique_id: 'u2', width: 1280, height: 960, file_size: 90000 },
        { file_id: 'mid-photo', file_unique_id: 'u3', width: 320, height: 240, file_size: 9000 },
      ],
    });
    await tc.handle(adapter, tc.request(update, HEADERS), bot);
    await tc.settle();
    const message = tc.processed[0];
    expect(message?.text).toBe('what is this?');
    expect(message?.attachments).toHaveLength(1);
    const att = message?.attachments[0];
    expect(att).toMatchObject({ type: 'image', name: 'photo-u2.jpg', mimeType: 'image/jpeg' });
    expect(att?.url.startsWith('https://switchboard.example.com/files/')).toBe(true);
    expect(att?.url).not.toContain(fake.token);
    expect(att?.url).not.toContain(fake.token.split(':')[1]);
    const ref = tc.links.verify((att?.url ?? '').split('/files/')[1] ?? '');
    expect(ref).toMatchObject({ channel: 'telegram', bot: 'support', ref: 'big-photo', name: 'photo-u2.jpg', mimeType: 'image/jpeg' });

    const file = await adapter.openFile!(bot, 'big-photo', tc.ctx);
    const chunks: Buffer[] = [];
    for await (const c of file.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('JPEGDATA');
    expect(file.contentType).toBe('image/jpeg');
    expect(file.size).toBe(8);
    expect(fake.callsOf('getFile').map((c) => c.params)).toEqual([{ file_id: 'big-photo' }]);
    expect(fake.downloads).toEqual(['documents/file_1.jpg']);
  });

  it('passes documents with their name and MIME type, and openFile leaves a generic content type to the link', async () => {
    fake.addFile('doc-1', Buffer.from('%PDF'), { name: 'spec.pdf' });
    await tc.handle(adapter, tc.request(privateUpdate(31, '', { text: undefined, document: { file_id: 'doc-1', file_unique_id: 'd1', file_name: 'spec.pdf', mime_type: 'application/pdf' } }), HEADERS), bot);
    await tc.settle();
    expect(tc.processed[0]?.attachments.map(({ url: _u, ...rest }) => rest)).toEqual([{ type: 'file', name: 'spec.pdf', mimeType: 'application/pdf' }]);
    expect(tc.processed[0]?.text).toBeUndefined();
    const file = await adapter.openFile!(bot, 'doc-1', tc.ctx);
    file.body.resume();
    expect(file.contentType).toBeUndefined();
  });

  it('openFile reports an unknown file_id as an invalid link', async () => {
    await expect(adapter.openFile!(bot, 'missing', tc.ctx)).rejects.toMatchObject({ code: 'SWB_ERR_FILE_LINK_INVALID', status: 404 });
  });
});

describe('telegram groups', () => {
  it('ignores group messages that do not address the bot, without touching the store', async () => {
    const res = await tc.handle(adapter, tc.request(groupUpdate(40, { text: 'just chatting' }), HEADERS), bot);
    expect(res).toEqual({ status: 200 });
    await tc.settle();
    expect(tc.processed).toEqual([]);
    expect(tc.store.claims.size).toBe(0);
    expect(fake.calls).toEqual([]);
  });

  it('answers a mention as a reply, keyed per user, with the mention stripped', async () => {
    const text = '@switchboard_test_bot what time is it?';
    await tc.handle(adapter, tc.request(groupUpdate(41, { text, entities: [{ type: 'mention', offset: 0, length: 21 }] }), HEADERS), bot);
    await tc.settle();
    expect(tc.processed.map((m) => [m.conversationId, m.chatId, m.messageId, m.text, m.user])).toEqual([['-100777:99', '-100777', '541', 'what time is it?', { id: '99', name: 'Bob' }]]);
    expect(tc.keys).toEqual(['telegram:support:-100777:99']);
    expect(fake.callsOf('sendMessage').map((c) => c.params)).toEqual([
      { chat_id: -100777, text: 'echo: what time is it?', reply_parameters: { message_id: 541, allow_sending_without_reply: true } },
    ]);
    expect(fake.callsOf('getMe')).toHaveLength(1);
  });

  it('answers replies to its own messages and commands addressed to it; ignores mentions of others', async () => {
    await tc.handle(adapter, tc.request(groupUpdate(42, { text: 'and tomorrow?', reply_to_message: { message_id: 1, from: { id: fake.botId, is_bot: true } } }), HEADERS), bot);
    await tc.handle(adapter, tc.request(groupUpdate(43, { text: '/ask@switchboard_test_bot hi', entities: [{ type: 'bot_command', offset: 0, length: 25 }] }), HEADERS), bot);
    await tc.handle(adapter, tc.request(groupUpdate(44, { text: '@other_bot hi', entities: [{ type: 'mention', offset: 0, length: 10 }] }), HEADERS), bot);
    await tc.handle(adapter, tc.request(groupUpdate(45, { text: '/ask@other_bot hi', entities: [{ type: 'bot_command', offset: 0, length: 14 }] }), HEADERS), bot);
    await tc.settle();
    expect(tc.processed.map((m) => m.text)).toEqual(['and tomorrow?', '/ask hi']);
    expect(fake.callsOf('getMe')).toHaveLength(1); // cached per token
  });

  it('replies in the forum topic of the message', async () => {
    await tc.handle(
      adapter,
      tc.request(groupUpdate(46, { is_topic_message: true, message_thread_id: 77, text: '@switchboard_test_bot hi', entities: [{ type: 'mention', offset: 0, length: 21 }] }), HEADERS),
      bot,
    );
    await tc.settle();
    expect(fake.callsOf('sendMessage')[0]?.params).toMatchObject({ chat_id: -100777, message_thread_id: 77 });
    expect(fake.callsOf('sendChatAction')[0]?.params).toEqual({ chat_id: -100777, action: 'typing', message_thread_id: 77 });
  });
});

describe('telegram ignored updates', () => {
  it('acks everything it does not handle with 200 and no processing', async () => {
    const updates = [
      { update_id: 50, edited_message: { message_id: 1, chat: { id: 1, type: 'private' }, from: { id: 1 }, text: 'edit' } },
      { update_id: 51, channel_post: { message_id: 1, chat: { id: -1, type: 'channel' }, text: 'post' } },
      { update_id: 52, callback_query: { id: 'q', from: { id: 1 }, data: 'x' } },
      { update_id: 53, my_chat_member: {} },
      privateUpdate(54, 'from a bot', { from: { id: 5, is_bot: true, first_name: 'B' } }),
      privateUpdate(55, '', { text: undefined, sticker: { file_id: 's' } }),
      { update_id: 56 },
    ];
    for (const u of updates) expect((await tc.handle(adapter, tc.request(u, HEADERS), bot)).status).toBe(200);
    await tc.settle();
    expect(tc.processed).toEqual([]);
    expect(tc.store.claims.size).toBe(0);
    expect(fake.calls).toEqual([]);
  });

  it('answers 400 to a body that is not an update', async () => {
    for (const body of [undefined, [], { message: {} }, { update_id: 'x' }]) {
      const res = await tc.handle(adapter, tc.request(body, HEADERS), bot);
      expect(res.status).toBe(400);
    }
  });

  it('exports a default adapter named telegram', () => {
    expect(telegramAdapter.name).toBe('telegram');
    expect(typeof telegramAdapter.openFile).toBe('function');
  });
});
