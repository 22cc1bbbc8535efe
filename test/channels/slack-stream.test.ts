/**
 * Streamed replies in Slack against the fake Web API: chat.startStream in the thread with
 * the recipient, buffered and throttled chat.appendStream, chat.stopStream; the
 * postMessage + chat.update path when the workspace refuses streams; and a stream Slack
 * expired continuing in a new message without losing text.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../runtime/channels/channel.js';
import { createSlackAdapter } from '../../runtime/channels/slack.js';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import { signSlackRequest, startFakeSlack, type FakeSlack, type SlackCall } from '../helpers/fake-slack.js';
import { bot as makeBot } from '../helpers/snapshot.js';
import { createTestContext, type TestContext } from './channel-test-context.js';
import { scriptedStream, type ScriptedStream } from './scripted-stream.js';

const SIGNING_SECRET = 'slack-signing-secret-abcdef';
const INTERVAL = 150;

let fake: FakeSlack;
let tc: TestContext;
let bot: ResolvedBot;
let adapter: ChannelAdapter;
let script: ScriptedStream;

function mention(eventId: string, text: string) {
  const body = {
    type: 'event_callback',
    team_id: 'T0001',
    event_id: eventId,
    authorizations: [{ user_id: 'UBOT0001', is_bot: true }],
    event: { type: 'app_mention', channel: 'C0777', user: 'UBOB', text: `<@UBOT0001> ${text}`, ts: '1700000002.000300' },
  };
  const raw = JSON.stringify(body);
  return tc.request(body, signSlackRequest(SIGNING_SECRET, raw), Buffer.from(raw));
}

const gaps = (calls: SlackCall[]) => calls.slice(1).map((c, i) => c.at - (calls[i] as SlackCall).at);

beforeEach(async () => {
  fake = await startFakeSlack();
  bot = makeBot('support', { channels: { slack: { botToken: fake.botToken, signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl } } });
  tc = createTestContext([bot]);
  adapter = createSlackAdapter({ streamIntervalMs: INTERVAL });
  script = scriptedStream();
  tc.setStream(() => script.stream);
});

afterEach(async () => {
  await tc.close();
  await fake.close();
});

describe('slack streamed replies', () => {
  it('starts a stream in the thread for the recipient, appends what is new, throttled, and stops it', async () => {
    expect((await tc.handle(adapter, mention('Ev1', 'hi'), bot)).status).toBe(200);
    script.push('Order ');
    const [start] = await fake.waitFor('chat.startStream');
    expect(start?.params).toEqual({ channel: 'C0777', thread_ts: '1700000002.000300', recipient_user_id: 'UBOB', recipient_team_id: 'T0001', markdown_text: 'Order ' });
    script.push('4411 ');
    script.push('*shipped*');
    await fake.waitFor('chat.appendStream');
    script.push(' today.');
    await fake.waitFor('chat.appendStream', 2);
    script.finish({ content: 'Order 4411 *shipped* today.', attachments: [], integration: 'x' });
    await tc.settle();

    const appends = fake.callsOf('chat.appendStream');
    expect(appends.map((a) => a.params.markdown_text)).toEqual(['4411 *shipped*', ' today.']);
    for (const gap of gaps([start as SlackCall, ...appends])) expect(gap).toBeGreaterThanOrEqual(INTERVAL - 30);
    expect(fake.callsOf('chat.stopStream')).toHaveLength(1);
    expect([...fake.messages.values()]).toEqual([{ text: 'Order 4411 *shipped* today.', streaming: false }]);
    expect(fake.callsOf('chat.postMessage')).toEqual([]);
  });

  it('posts and updates the message when the workspace refuses streaming', async () => {
    fake.fail('chat.startStream', 'not_allowed_token_type');
    await tc.handle(adapter, mention('Ev2', 'hi'), bot);
    script.push('a < b');
    await fake.waitFor('chat.postMessage');
    script.push(' & c');
    await fake.waitFor('chat.update');
    script.push('!');
    script.finish({ content: 'a < b & c!', attachments: [], integration: 'x' });
    await tc.settle();
    const posted = fake.callsOf('chat.postMessage');
    expect(posted).toHaveLength(1);
    expect(posted[0]?.params).toMatchObject({ channel: 'C0777', thread_ts: '1700000002.000300', text: 'a &lt; b' });
    const updates = fake.callsOf('chat.update');
    for (const gap of gaps([posted[0] as SlackCall, ...updates])) expect(gap).toBeGreaterThanOrEqual(INTERVAL - 30);
    expect([...fake.messages.values()]).toEqual([{ text: 'a &lt; b &amp; c!', streaming: false }]);
    expect(fake.callsOf('chat.appendStream')).toEqual([]);
  });

  it('continues in a new stream when Slack expired the first (message_not_in_streaming_state), losing no text', async () => {
    await tc.handle(adapter, mention('Ev3', 'hi'), bot);
    script.push('first part');
    const [start] = await fake.waitFor('chat.startStream');
    // Slack's idle expiry, as seen by the next append.
    const firstTs = [...fake.messages.keys()][0] as string;
    fake.expire(firstTs);
    script.push(', second part');
    await fake.waitFor('chat.startStream', 2);
    script.push(', third part.');
    script.finish({ content: 'first part, second part, third part.', attachments: [], integration: 'x' });
    await tc.settle();
    expect(start?.params.markdown_text).toBe('first part');
    const texts = [...fake.messages.values()].map((m) => m.text);
    expect(texts.join('')).toBe('first part, second part, third part.');
    expect(texts).toHaveLength(2);
    expect(fake.callsOf('chat.appendStream')[0]?.params.ts).toBe(firstTs);
  });

  it('delivers a reply without deltas with chat.postMessage as before', async () => {
    await tc.handle(adapter, mention('Ev4', 'hi'), bot);
    script.finish({ content: 'plain answer', attachments: [], integration: 'x' });
    await tc.settle();
    expect(fake.callsOf('chat.startStream')).toEqual([]);
    expect(fake.callsOf('chat.postMessage').map((c) => c.params.text)).toEqual(['plain answer']);
  });
});
