/**
 * Conversation controls and rendering on Telegram and Slack through the real server, observed
 * at the fake Bot API / Slack API: the rate-limit notice at most once per window (injected
 * clock), commands (`/cmd@botusername`, case, not sent to the webhook), Markdown reaching
 * Telegram as entities (plain-text retry on "can't parse entities") and Slack as mrkdwn.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import { createMemoryRateLimiter } from '../../runtime/rate-limit/memory-rate-limiter.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { lastUserText } from '../channels/channel.contract.js';
import { waitFor } from '../helpers/config-tree.js';
import { signSlackRequest, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { buildControlsWorld, commands, supportBot, type ControlsWorld } from './controls-world.js';

const TG_SECRET = 'controls-telegram-secret';
const SLACK_SECRET = 'controls-slack-signing-secret';
const NOTICE = 'Easy there: one message a minute, please.';

let t = 10_000_000;
const now = (): number => t;
let world: ControlsWorld;
let tg: FakeTelegram;
let slack: FakeSlack;
let updateId = 0;
let eventId = 0;

function controlledBot(over: Partial<ResolvedBot> = {}): ResolvedBot {
  return supportBot({
    channels: {
      http: {},
      telegram: { token: tg.token, secretToken: TG_SECRET, apiUrl: tg.url },
      slack: { botToken: slack.botToken, signingSecret: SLACK_SECRET, apiUrl: slack.apiUrl },
    },
    rateLimit: { messages: 1, perMs: 60_000, message: NOTICE },
    commands: commands({ '/reset': { action: 'reset', reply: 'Forgotten.' } }),
    ...over,
  });
}

async function start(over: Partial<ResolvedBot> = {}): Promise<void> {
  world = await buildControlsWorld({ bots: [controlledBot(over)], store: createMemoryStore(), limiter: createMemoryRateLimiter({ clock: now }) });
}

beforeEach(async () => {
  tg = await startFakeTelegram();
  slack = await startFakeSlack();
});
afterEach(async () => {
  await world.app.close();
  await tg.close();
  await slack.close();
});

async function telegramSays(text: string, userId = 4242): Promise<void> {
  updateId++;
  const update = { update_id: updateId, message: { message_id: updateId, date: 1, chat: { id: userId, type: 'private' }, from: { id: userId, is_bot: false, first_name: 'Ada' }, text } };
  const res = await world.app.inject({ method: 'POST', url: '/channels/telegram/support', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET }, payload: JSON.stringify(update) });
  expect(res.statusCode).toBe(200);
  // The ack comes before the work: wait until this update's job has run.
  await world.app.queue.drain();
}

async function slackSays(text: string): Promise<void> {
  eventId++;
  const body = {
    type: 'event_callback',
    team_id: 'T1',
    event_id: `Ev${eventId}`,
    authorizations: [{ user_id: slack.botUserId, is_bot: true }],
    event: { type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text, ts: `1700000001.${String(eventId).padStart(6, '0')}`, thread_ts: '1700000000.000001' },
  };
  const raw = JSON.stringify(body);
  const res = await world.app.inject({ method: 'POST', url: '/channels/slack/support', headers: { 'content-type': 'application/json', ...signSlackRequest(SLACK_SECRET, raw) }, payload: raw });
  expect(res.statusCode).toBe(200);
  await world.app.queue.drain();
}

const tgTexts = (): string[] => tg.callsOf('sendMessage').map((c) => String(c.params.text));
const slackTexts = (): string[] => slack.callsOf('chat.postMessage').map((c) => String(c.params.text));

describe('rate-limit notice', () => {
  it('Telegram: the notice goes out once per window; the webhook is not called over the limit', async () => {
    await start();
    await telegramSays('one');
    // The typing call is not awaited by the channel: wait until the fake has seen it.
    const typing = (await tg.waitFor('sendChatAction', 1, 5000)).length;
    for (const text of ['two', 'three', 'four']) await telegramSays(text);
    // No "typing" for messages the runtime answers itself.
    expect(tg.callsOf('sendChatAction')).toHaveLength(typing);
    expect(world.payloads.map(lastUserText)).toEqual(['one']);
    expect(tgTexts()).toEqual(['reply: one', NOTICE]);
    t += 60_000;
    for (const text of ['five', 'six', 'seven']) await telegramSays(text);
    expect(world.payloads.map(lastUserText)).toEqual(['one', 'five']);
    expect(tgTexts()).toEqual(['reply: one', NOTICE, 'reply: five', NOTICE]);
  });

  it('Slack: the notice goes out once per window in the thread', async () => {
    await start();
    for (const text of ['one', 'two', 'three']) await slackSays(text);
    expect(world.payloads.map(lastUserText)).toEqual(['one']);
    expect(slackTexts()).toEqual(['reply: one', NOTICE]);
    expect(slack.callsOf('chat.postMessage')[1]?.params.thread_ts).toBe('1700000000.000001');
  });
});

describe('commands on Telegram', () => {
  it('matches /cmd@botusername (any case) in a private chat, not another bot’s, and does not count', async () => {
    await start();
    await telegramSays(`/reset@${tg.username}`);
    await telegramSays(`/RESET@${tg.username.toUpperCase()}`);
    expect(world.payloads).toEqual([]);
    expect(tgTexts()).toEqual(['Forgotten.', 'Forgotten.']);
    expect(tg.callsOf('sendChatAction')).toEqual([]);
    await telegramSays('/reset@some_other_bot');
    expect(world.payloads.map(lastUserText)).toEqual(['/reset@some_other_bot']);
    // That was the one message of the window; the command is still answered.
    await telegramSays('/reset');
    expect(tgTexts().at(-1)).toBe('Forgotten.');
  });
});

describe('Markdown rendering', () => {
  const markdown = '**Order** _shipped_: see [tracking](https://track.example/1) and `a<b && c>d`';

  it('Telegram gets formatting entities, with the text as shown', async () => {
    await start({ rateLimit: undefined });
    world.webhook.replyText = markdown;
    await telegramSays('status?');
    const call = tg.callsOf('sendMessage')[0];
    expect(call?.params.text).toBe('Order shipped: see tracking and a<b && c>d');
    expect(call?.params.parse_mode).toBeUndefined();
    expect(call?.params.entities).toEqual([
      { type: 'bold', offset: 0, length: 5 },
      { type: 'italic', offset: 6, length: 7 },
      { type: 'text_link', offset: 19, length: 8, url: 'https://track.example/1' },
      { type: 'code', offset: 32, length: 10 },
    ]);
  });

  it('Telegram answers 400 "can\'t parse entities": the message is sent again as plain text', async () => {
    await start({ rateLimit: undefined });
    world.webhook.replyText = markdown;
    tg.fail('sendMessage', { error_code: 400, description: "Bad Request: can't parse entities: unsupported URL" }, 1);
    await telegramSays('status?');
    await waitFor(() => tg.callsOf('sendMessage').length >= 2, 5000, 'the plain retry');
    const [first, retry] = tg.callsOf('sendMessage');
    expect(first?.params.entities).toBeDefined();
    expect(retry?.params.entities).toBeUndefined();
    expect(retry?.params.text).toBe('Order shipped: see tracking (https://track.example/1) and a<b && c>d');
  });

  it('a long reply is split at 4096 without breaking an entity', async () => {
    await start({ rateLimit: undefined });
    const line = `**${'b'.repeat(60)}** ${'w'.repeat(40)}\n`;
    world.webhook.replyText = line.repeat(80);
    await telegramSays('long please');
    const calls = tg.callsOf('sendMessage');
    expect(calls.length).toBeGreaterThan(1);
    for (const c of calls) {
      const text = String(c.params.text);
      expect(text.length).toBeLessThanOrEqual(4096);
      for (const e of c.params.entities as Array<{ type: string; offset: number; length: number }>) {
        expect(e.offset + e.length).toBeLessThanOrEqual(text.length);
        expect(text.slice(e.offset, e.offset + e.length)).toMatch(/^b+$/);
      }
    }
  });

  it('format: plain sends the text as written', async () => {
    await start({ rateLimit: undefined, format: 'plain' });
    world.webhook.replyText = markdown;
    await telegramSays('status?');
    await slackSays('status?');
    expect(tg.callsOf('sendMessage')[0]?.params).toMatchObject({ text: markdown });
    expect(tg.callsOf('sendMessage')[0]?.params.entities).toBeUndefined();
    expect(slackTexts()).toEqual(['**Order** _shipped_: see [tracking](https://track.example/1) and `a&lt;b &amp;&amp; c&gt;d`']);
  });

  it('Slack gets mrkdwn; HTTP returns content unchanged', async () => {
    await start({ rateLimit: undefined });
    world.webhook.replyText = markdown;
    await slackSays('status?');
    expect(slackTexts()).toEqual(['*Order* _shipped_: see <https://track.example/1|tracking> and `a&lt;b &amp;&amp; c&gt;d`']);
    const http = await world.say('u1', 'status?');
    expect(http.json()).toMatchObject({ content: markdown });
  });
});
