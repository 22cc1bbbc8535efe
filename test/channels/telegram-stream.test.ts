/**
 * Streamed replies in Telegram against the fake Bot API: drafts in private chats (one
 * draft_id, throttled, then one sendMessage), sendMessage + throttled editMessageText in
 * groups (a 429's retry_after pushes the next edit back), continuation past 4096
 * characters, and the typing indicator stopping once text is shown.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../runtime/channels/channel.js';
import { createTelegramAdapter } from '../../runtime/channels/telegram.js';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import { startFakeTelegram, type FakeTelegram, type TelegramCall } from '../helpers/fake-telegram.js';
import { bot as makeBot } from '../helpers/snapshot.js';
import { createTestContext, type TestContext } from './channel-test-context.js';
import { scriptedStream, type ScriptedStream } from './scripted-stream.js';

const SECRET = 'tg-webhook-secret-0123456789';
const HEADERS = { 'X-Telegram-Bot-Api-Secret-Token': SECRET };
const INTERVAL = 150;

let fake: FakeTelegram;
let tc: TestContext;
let bot: ResolvedBot;
let adapter: ChannelAdapter;
let script: ScriptedStream;

const privateUpdate = (id: number, text: string) => ({ update_id: id, message: { message_id: 10 + id, date: 1, chat: { id: 4242, type: 'private' }, from: { id: 4242, is_bot: false, first_name: 'Ada' }, text } });
const groupUpdate = (id: number, text: string) => ({ update_id: id, message: { message_id: 500 + id, date: 1, chat: { id: -100777, type: 'supergroup' }, from: { id: 99, is_bot: false, first_name: 'Bob' }, text: `@switchboard_test_bot ${text}`, entities: [{ type: 'mention', offset: 0, length: 21 }] } });

/** Gaps between the calls as the fake received them; a little slack for the network hop. */
const gaps = (calls: TelegramCall[]) => calls.slice(1).map((c, i) => c.at - (calls[i] as TelegramCall).at);

beforeEach(async () => {
  fake = await startFakeTelegram();
  bot = makeBot('support', { channels: { telegram: { token: fake.token, secretToken: SECRET, apiUrl: fake.url } } });
  tc = createTestContext([bot]);
  adapter = createTelegramAdapter({ typingIntervalMs: 40, draftIntervalMs: INTERVAL, editIntervalMs: INTERVAL });
  script = scriptedStream();
  tc.setStream(() => script.stream);
});

afterEach(async () => {
  await tc.close();
  await fake.close();
});

describe('telegram streamed replies', () => {
  it('private chat: drafts with one draft_id, throttled, then one sendMessage; typing stops at the first text', async () => {
    expect((await tc.handle(adapter, tc.request(privateUpdate(1, 'hi'), HEADERS), bot)).status).toBe(200);
    await fake.waitFor('sendChatAction');
    script.push('Hel');
    const [first] = await fake.waitFor('sendMessageDraft');
    script.push('lo');
    script.push(' wor');
    await fake.waitFor('sendMessageDraft', 2);
    script.push('ld');
    await fake.waitFor('sendMessageDraft', 3);
    script.finish({ content: 'Hello world', attachments: [], integration: 'x' });
    await tc.settle();

    expect(tc.processOptions).toMatchObject([{ live: true }]);
    const drafts = fake.callsOf('sendMessageDraft');
    expect(new Set(drafts.map((d) => d.params.draft_id)).size).toBe(1);
    expect(drafts.map((d) => d.params.text)).toEqual(['Hel', 'Hello wor', 'Hello world']);
    for (const gap of gaps(drafts)) expect(gap).toBeGreaterThanOrEqual(INTERVAL - 30);
    expect(fake.callsOf('sendMessage').map((c) => c.params.text)).toEqual(['Hello world']);
    // No typing action went out once the first draft was on its way (the drafts span 300 ms
    // or more, so a typing timer still running at 40 ms would show; 100 ms of slack for one in flight).
    expect(fake.callsOf('sendChatAction').filter((c) => c.at > (first as TelegramCall).at + 100)).toEqual([]);
  });

  it('drafts are rendered like the final message: Markdown as entities, never literal **', async () => {
    await tc.handle(adapter, tc.request(privateUpdate(6, 'hi'), HEADERS), bot);
    script.push('Use **bold');
    await fake.waitFor('sendMessageDraft');
    script.push('** now');
    await fake.waitFor('sendMessageDraft', 2);
    script.finish({ content: 'Use **bold** now', attachments: [], integration: 'x' });
    await tc.settle();
    expect(fake.callsOf('sendMessageDraft').at(-1)?.params).toMatchObject({ text: 'Use bold now', entities: [{ type: 'bold', offset: 4, length: 4 }] });
  });

  it('group edits are rendered too', async () => {
    await tc.handle(adapter, tc.request(groupUpdate(8, 'again'), HEADERS), bot);
    script.push('A `code` ');
    await fake.waitFor('sendMessage');
    script.push('and _more_');
    script.finish({ content: 'A `code` and _more_', attachments: [], integration: 'x' });
    await tc.settle();
    expect(fake.callsOf('editMessageText').at(-1)?.params).toMatchObject({ text: 'A code and more', entities: [{ type: 'code', offset: 2, length: 4 }, { type: 'italic', offset: 11, length: 4 }] });
  });

  it('group: sendMessage, then editMessageText at least the interval apart, honouring a 429 retry_after', async () => {
    fake.fail('editMessageText', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    await tc.handle(adapter, tc.request(groupUpdate(2, 'tell me'), HEADERS), bot);
    script.push('one');
    const [sent] = await fake.waitFor('sendMessage');
    expect(sent?.params).toMatchObject({ chat_id: -100777, text: 'one', reply_parameters: { message_id: 502 } });
    script.push(' two');
    const [limited] = await fake.waitFor('editMessageText');
    script.push(' three');
    const edits = await fake.waitFor('editMessageText', 2, 10_000);
    expect((edits[1] as TelegramCall).at - (limited as TelegramCall).at).toBeGreaterThanOrEqual(1000 - 30);
    script.push(' four');
    script.finish({ content: 'one two three four', attachments: [], integration: 'x' });
    await tc.settle();

    expect(fake.callsOf('sendMessage')).toHaveLength(1);
    const all = fake.callsOf('editMessageText');
    for (const gap of gaps(all)) expect(gap).toBeGreaterThanOrEqual(INTERVAL - 30);
    expect(all.at(-1)?.params).toMatchObject({ chat_id: -100777, text: 'one two three four' });
    expect(fake.texts.get(all.at(-1)?.params.message_id as number)).toBe('one two three four');
  });

  it('continues past 4096 characters in a new message without losing text', async () => {
    await tc.handle(adapter, tc.request(groupUpdate(3, 'long'), HEADERS), bot);
    const words = Array.from({ length: 1200 }, (_, i) => `w${i}`);
    for (const w of words) script.push(`${w} `);
    const full = words.map((w) => `${w} `).join('');
    script.finish({ content: full, attachments: [], integration: 'x' });
    await tc.settle();
    const ids = fake.callsOf('sendMessage').map((_, i) => i);
    expect(ids.length).toBeGreaterThan(1);
    const shown = [...fake.texts.values()].join(' ').split(/\s+/).filter(Boolean);
    expect(shown).toEqual(words);
    for (const text of fake.texts.values()) expect(text.length).toBeLessThanOrEqual(4096);
  });

  it('private chat past 4096 characters: sends the full part and drafts the rest under a new draft_id', async () => {
    await tc.handle(adapter, tc.request(privateUpdate(4, 'long'), HEADERS), bot);
    const words = Array.from({ length: 1200 }, (_, i) => `p${i}`);
    for (const w of words) script.push(`${w} `);
    await fake.waitFor('sendMessage');
    script.push('end');
    script.finish({ content: `${words.map((w) => `${w} `).join('')}end`, attachments: [], integration: 'x' });
    await tc.settle();
    expect(new Set(fake.callsOf('sendMessageDraft').map((d) => d.params.draft_id)).size).toBe(2);
    const sent = fake.callsOf('sendMessage').map((c) => c.params.text as string);
    expect(sent.join(' ').split(/\s+/)).toEqual([...words, 'end']);
  });

  it('delivers a reply without deltas (the fallback message) with plain sendMessage', async () => {
    await tc.handle(adapter, tc.request(privateUpdate(5, 'hi'), HEADERS), bot);
    script.finish({ content: 'Sorry.', attachments: [], error: { code: 'SWB_ERR_ALL_ATTEMPTS_FAILED', message: 'x' } });
    await tc.settle();
    expect(fake.callsOf('sendMessageDraft')).toEqual([]);
    expect(fake.callsOf('sendMessage').map((c) => c.params.text)).toEqual(['Sorry.']);
  });
});
