/**
 * The Slack channel through the real server: the shared channel contract (with the stale
 * timestamp case), url_verification, and files end to end (url_private → signed link →
 * GET /files/:token fetched with the bot token, which never appears in any URL).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { signSlackRequest, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { buildContractWorld, channelContract, CONTRACT_BOT, CONTRACT_PUBLIC_URL, waitForReplies, type ChannelDriver, type ContractWorld } from './channel.contract.js';

const SIGNING_SECRET = 'contract-slack-signing-secret';
const THREAD = '1700000000.000001';

interface SlackDriver extends ChannelDriver {
  fake(): FakeSlack;
  /** Sends a raw body signed now. */
  sendRaw(app: ContractWorld['app'], body: Record<string, unknown>, headers?: Record<string, string>): ReturnType<ChannelDriver['send']>;
}

function createSlackDriver(): SlackDriver {
  let fake: FakeSlack | undefined;
  const the = (): FakeSlack => {
    if (!fake) throw new Error('driver not started');
    return fake;
  };
  const inject = (app: ContractWorld['app'], bot: string, raw: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: `/channels/slack/${bot}`, headers: { 'content-type': 'application/json', ...headers }, payload: raw });
  return {
    channel: 'slack',
    async: true,
    dedupes: true,
    authModes: ['bad', 'missing', 'stale'],
    storeOutageStatus: 503,
    async start() {
      fake = await startFakeSlack();
    },
    async stop() {
      await fake?.close();
    },
    fake: the,
    channels: () => ({ slack: { botToken: the().botToken, signingSecret: SIGNING_SECRET, apiUrl: the().apiUrl } }),
    async send(app, bot, m, o = {}) {
      const auth = o.auth ?? 'valid';
      const body: Record<string, unknown> = {
        type: 'event_callback',
        team_id: 'T0001',
        event_id: `Ev${m.deliveryId}`,
        authorizations: [{ user_id: the().botUserId, is_bot: true }],
        // All messages of one user go to one DM thread, so they form one conversation.
        event: { type: 'message', channel_type: 'im', channel: `D${m.userId}`, user: `U${m.userId}`, text: m.text, ts: `1700000001.${String(m.deliveryId).padStart(6, '0')}`, thread_ts: THREAD },
      };
      if (o.padTo) body.padding = 'x'.repeat(o.padTo);
      const raw = JSON.stringify(body);
      const now = Math.floor(Date.now() / 1000);
      const headers =
        auth === 'valid' ? signSlackRequest(SIGNING_SECRET, raw, now)
        : auth === 'bad' ? signSlackRequest('not-the-secret', raw, now)
        : auth === 'stale' ? signSlackRequest(SIGNING_SECRET, raw, now - 6 * 60)
        : {};
      return inject(app, bot, raw, headers);
    },
    sendRaw(app, body, headers = {}) {
      const raw = JSON.stringify(body);
      return inject(app, CONTRACT_BOT, raw, { ...signSlackRequest(SIGNING_SECRET, raw), ...headers });
    },
    replies: () => the().callsOf('chat.postMessage').map((c) => String(c.params.text)),
    delivered: () => JSON.stringify(the().calls.map((c) => c.params)),
    platformUserId: (userId) => `U${userId}`,
  };
}

channelContract(createSlackDriver);

describe('slack through the server', () => {
  let driver: SlackDriver;
  let world: ContractWorld;
  beforeEach(async () => {
    driver = createSlackDriver();
    await driver.start();
    world = await buildContractWorld(driver);
  });
  afterEach(async () => {
    await world.app.close();
    await driver.stop();
  });

  it('answers url_verification with the challenge', async () => {
    const res = await driver.sendRaw(world.app, { token: 'legacy', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('replies in the thread of the message', async () => {
    await driver.send(world.app, CONTRACT_BOT, { deliveryId: 1, userId: '42', text: 'hi' });
    await waitForReplies(driver, 1);
    expect(driver.fake().callsOf('chat.postMessage')[0]?.params).toEqual({ channel: 'D42', thread_ts: THREAD, text: 'reply: hi' });
    expect(world.payloads[0]).toMatchObject({ conversation_id: `D42:${THREAD}`, metadata: { channel: 'slack', chat_id: 'D42', message_id: '1700000001.000001' } });
  });

  it('hands the webhook a signed /files link that streams url_private with the bot token', async () => {
    const fake = driver.fake();
    const url = fake.addFile('F0009', 'report.pdf', Buffer.from('%PDF-1.7 bytes'), 'application/pdf');
    const res = await driver.sendRaw(world.app, {
      type: 'event_callback',
      event_id: 'EvFile',
      authorizations: [{ user_id: fake.botUserId }],
      event: { type: 'message', subtype: 'file_share', channel_type: 'im', channel: 'D7', user: 'U7', text: 'read this', ts: '1700000009.000100', files: [{ id: 'F0009', name: 'report.pdf', mimetype: 'application/pdf', url_private: url }] },
    });
    expect(res.statusCode).toBe(200);
    await waitForReplies(driver, 1);
    const payload = world.payloads[0] as WebhookRequest;
    const parts = payload.messages.at(-1)?.content as Array<{ type: string; file?: { url: string; name: string; mime_type: string } }>;
    expect(parts.map((p) => p.type)).toEqual(['text', 'file']);
    const file = parts[1]?.file;
    expect(file).toMatchObject({ name: 'report.pdf', mime_type: 'application/pdf' });
    expect(file?.url.startsWith(`${CONTRACT_PUBLIC_URL}/files/`)).toBe(true);
    expect(JSON.stringify(payload)).not.toContain(fake.botToken);

    const got = await world.app.inject({ method: 'GET', url: (file?.url ?? '').slice(CONTRACT_PUBLIC_URL.length) });
    expect(got.statusCode).toBe(200);
    expect(got.body).toBe('%PDF-1.7 bytes');
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(fake.downloads).toEqual([{ path: '/files-pri/T0001-F0009/report.pdf', authorization: `Bearer ${fake.botToken}` }]);
  });
});
