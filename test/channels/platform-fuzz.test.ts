/**
 * Fuzz: thousands of authenticated Telegram updates and Slack events, mutated from seed
 * payloads (fields of the wrong type, `[null]` arrays, deleted and unknown keys), through the
 * real server route. None may get a 5xx (the platform would re-send it forever), none may
 * crash the process, and none may make the user get the fallback message: the webhook stub
 * always answers, so a fallback can only come from a payload field breaking the channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallIntegration } from '../../runtime/pipeline/pipeline.js';
import { createFileLinks } from '../../runtime/files/file-links.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { bot as makeBot, integration, snapshot as makeSnapshot } from '../helpers/snapshot.js';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { signSlackRequest, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { mutate, seededRandom } from '../helpers/mutate.js';
import { fixedOrderRouter } from './channel.contract.js';

const CASES = 4000;
const TG_SECRET = 'fuzz-telegram-secret';
const SLACK_SECRET = 'fuzz-slack-signing-secret';
const FALLBACK = 'FUZZ-FALLBACK';

let tg: FakeTelegram;
let slack: FakeSlack;
let app: SwitchboardApp;
let calls = 0;

async function start(): Promise<SwitchboardApp> {
  const call: CallIntegration = async () => {
    calls++;
    return { ok: true, reply: { content: 'fuzz reply' }, status: 200, latencyMs: 0, retried: false };
  };
  const channels = {
    telegram: { token: tg.token, secretToken: TG_SECRET, apiUrl: tg.url },
    slack: { botToken: slack.botToken, signingSecret: SLACK_SECRET, apiUrl: slack.apiUrl },
  };
  const snapshot = makeSnapshot([makeBot('fuzz', { channels, fallbackMessage: FALLBACK })], [integration('primary')]);
  const files = createFileLinks({ publicUrl: 'https://switchboard.example.com', secret: 'fuzz-files-secret' });
  return buildServer({ config: { current: () => snapshot }, store: createMemoryStore(), router: fixedOrderRouter, call, files });
}

beforeAll(async () => {
  [tg, slack] = await Promise.all([startFakeTelegram({ username: 'fuzzbot' }), startFakeSlack()]);
});
afterAll(async () => {
  await Promise.all([tg.close(), slack.close()]);
});

function telegramSeeds(botId: number): Record<string, unknown>[] {
  const from = { id: 77, is_bot: false, first_name: 'Ada', last_name: 'L', username: 'ada' };
  return [
    { update_id: 1, message: { message_id: 1, date: 1, chat: { id: 77, type: 'private' }, from, text: 'hello' } },
    {
      update_id: 2,
      message: {
        message_id: 2,
        message_thread_id: 5,
        is_topic_message: true,
        date: 1,
        chat: { id: -100, type: 'supergroup' },
        from,
        text: '/ask@fuzzbot hi @fuzzbot',
        entities: [
          { type: 'bot_command', offset: 0, length: 12 },
          { type: 'mention', offset: 16, length: 8 },
          { type: 'text_mention', offset: 0, length: 4, user: { id: botId, is_bot: true, first_name: 'Bot' } },
        ],
        reply_to_message: { message_id: 1, from: { id: botId, is_bot: true, first_name: 'Bot' } },
      },
    },
    {
      update_id: 3,
      message: {
        message_id: 3,
        date: 1,
        chat: { id: 77, type: 'private' },
        from,
        caption: 'files',
        caption_entities: [{ type: 'bold', offset: 0, length: 5 }],
        photo: [{ file_id: 'p1', file_unique_id: 'u1', width: 90, height: 90, file_size: 100 }, { file_id: 'p2', width: 800, height: 600 }],
        document: { file_id: 'd1', file_name: 'a.pdf', mime_type: 'application/pdf', file_size: 10 },
        audio: { file_id: 'a1', file_name: 'a.mp3', mime_type: 'audio/mpeg' },
        voice: { file_id: 'v1', mime_type: 'audio/ogg' },
        video: { file_id: 'vd1', file_name: 'v.mp4', mime_type: 'video/mp4' },
      },
    },
  ];
}

function slackSeeds(botUserId: string): Record<string, unknown>[] {
  const base = { type: 'event_callback', team_id: 'T1', authorizations: [{ user_id: botUserId, is_bot: true }] };
  return [
    { ...base, event_id: 'Ev1', event: { type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'hello', ts: '1700000001.000001', team: 'T1' } },
    {
      ...base,
      event_id: 'Ev2',
      event: {
        type: 'message',
        subtype: 'file_share',
        channel_type: 'im',
        channel: 'D1',
        user: 'U1',
        text: 'a file',
        ts: '1700000001.000002',
        thread_ts: '1700000000.000001',
        files: [{ id: 'F1', name: 'a.png', title: 'A', mimetype: 'image/png', url_private: 'https://files.slack.com/a.png', mode: 'hosted' }],
      },
    },
    { ...base, event_id: 'Ev3', event: { type: 'app_mention', channel: 'C1', user: 'U2', text: `<@${botUserId}> hi`, ts: '1700000001.000003' } },
  ];
}

describe('platform payload fuzz through the server', () => {
  it(`Telegram: ${CASES} mutated updates never get a 5xx or the fallback`, async () => {
    app = await start();
    const rng = seededRandom(0x5eed12);
    const seeds = telegramSeeds(tg.botId);
    const statuses = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const update = mutate(seeds[i % seeds.length] as Record<string, unknown>, rng);
      // Distinct ids, so deduplication does not hide cases (unless the mutation broke the id).
      if (Number.isSafeInteger(update.update_id)) update.update_id = 1000 + i;
      const res = await app.inject({ method: 'POST', url: '/channels/telegram/fuzz', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET }, payload: JSON.stringify(update) });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500 || (Number.isSafeInteger(update.update_id) && res.statusCode !== 200)) {
        throw new Error(`case ${i}: ${res.statusCode} ${res.body} for ${JSON.stringify(update)}`);
      }
    }
    await app.close(); // drains the background jobs
    const texts = tg.callsOf('sendMessage').map((c) => c.params.text);
    expect(texts.filter((t) => t === FALLBACK)).toEqual([]);
    expect(texts.length).toBeGreaterThan(CASES / 10); // the fuzz reached the pipeline, not only the triage
    expect(calls).toBe(texts.length);
    expect(statuses.get(200)).toBeGreaterThan(CASES * 0.9);
  }, 60_000);

  it(`Slack: ${CASES} mutated events never get a 5xx or the fallback`, async () => {
    calls = 0;
    app = await start();
    const rng = seededRandom(0x51ac12);
    const seeds = slackSeeds(slack.botUserId);
    for (let i = 0; i < CASES; i++) {
      const body = mutate(seeds[i % seeds.length] as Record<string, unknown>, rng);
      if (typeof body.event_id === 'string') body.event_id = `Ev${1000 + i}`;
      const raw = JSON.stringify(body);
      const res = await app.inject({ method: 'POST', url: '/channels/slack/fuzz', headers: { 'content-type': 'application/json', ...signSlackRequest(SLACK_SECRET, raw) }, payload: raw });
      if (res.statusCode >= 500) throw new Error(`case ${i}: ${res.statusCode} ${res.body} for ${raw}`);
    }
    await app.close();
    const texts = slack.callsOf('chat.postMessage').map((c) => c.params.text);
    expect(texts.filter((t) => t === FALLBACK)).toEqual([]);
    expect(texts.length).toBeGreaterThan(CASES / 10);
    expect(calls).toBe(texts.length);
  }, 60_000);
});
