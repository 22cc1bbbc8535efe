/**
 * The Telegram channel through the real server: the shared channel contract, plus the file
 * route end to end (photo → signed link in the webhook payload → GET /files/:token streams it
 * from the fake Bot API, with no bot token anywhere in the URL).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { buildContractWorld, channelContract, CONTRACT_BOT, CONTRACT_PUBLIC_URL, waitForReplies, type ChannelDriver, type ContractWorld } from './channel.contract.js';

const SECRET = 'contract-telegram-secret';

interface TelegramDriver extends ChannelDriver {
  fake(): FakeTelegram;
  /** Sends a raw update with a valid secret. */
  sendUpdate(app: ContractWorld['app'], update: Record<string, unknown>): ReturnType<ChannelDriver['send']>;
}

function createTelegramDriver(): TelegramDriver {
  let fake: FakeTelegram | undefined;
  const the = (): FakeTelegram => {
    if (!fake) throw new Error('driver not started');
    return fake;
  };
  const driver: TelegramDriver = {
    channel: 'telegram',
    async: true,
    dedupes: true,
    authModes: ['bad', 'missing'],
    storeOutageStatus: 503,
    async start() {
      fake = await startFakeTelegram();
    },
    async stop() {
      await fake?.close();
    },
    fake: the,
    channels: () => ({ telegram: { token: the().token, secretToken: SECRET, apiUrl: the().url } }),
    async send(app, bot, m, o = {}) {
      const auth = o.auth ?? 'valid';
      const userId = Number(m.userId);
      const update: Record<string, unknown> = {
        update_id: m.deliveryId,
        message: { message_id: m.deliveryId, date: 1_700_000_000, chat: { id: userId, type: 'private' }, from: { id: userId, is_bot: false, first_name: 'Contract' }, text: m.text },
      };
      if (o.padTo) update.padding = 'x'.repeat(o.padTo);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth === 'valid') headers['x-telegram-bot-api-secret-token'] = SECRET;
      if (auth === 'bad') headers['x-telegram-bot-api-secret-token'] = `${SECRET}-wrong`;
      return app.inject({ method: 'POST', url: `/channels/telegram/${bot}`, headers, payload: JSON.stringify(update) });
    },
    sendUpdate: (app, update) =>
      app.inject({ method: 'POST', url: `/channels/telegram/${CONTRACT_BOT}`, headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, payload: JSON.stringify(update) }),
    replies: () => the().callsOf('sendMessage').map((c) => String(c.params.text)),
    delivered: () => JSON.stringify(the().calls.map((c) => c.params)),
  };
  return driver;
}

channelContract(createTelegramDriver);

describe('telegram through the server: files', () => {
  let driver: TelegramDriver;
  let world: ContractWorld;
  beforeEach(async () => {
    driver = createTelegramDriver();
    await driver.start();
    world = await buildContractWorld(driver);
  });
  afterEach(async () => {
    await world.app.close();
    await driver.stop();
  });

  it('hands the webhook a signed /files link that streams the photo from Telegram', async () => {
    const fake = driver.fake();
    fake.addFile('photo-big', Buffer.from('\xff\xd8JPEG-BYTES', 'latin1'), { name: 'file_7.jpg' });
    const res = await driver.sendUpdate(world.app, {
      update_id: 900,
      message: {
        message_id: 1,
        date: 1,
        chat: { id: 55, type: 'private' },
        from: { id: 55, is_bot: false, first_name: 'Pic' },
        caption: 'what is it?',
        photo: [
          { file_id: 'photo-small', file_unique_id: 's', width: 90, height: 60 },
          { file_id: 'photo-big', file_unique_id: 'b', width: 900, height: 600 },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    await waitForReplies(driver, 1);
    const payload = world.payloads[0] as WebhookRequest;
    const content = payload.messages.at(-1)?.content;
    expect(Array.isArray(content)).toBe(true);
    const parts = content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
    expect(parts[0]).toEqual({ type: 'text', text: 'what is it?' });
    const url = parts[1]?.image_url?.url ?? '';
    expect(url.startsWith(`${CONTRACT_PUBLIC_URL}/files/`)).toBe(true);
    expect(JSON.stringify(payload)).not.toContain(fake.token.split(':')[1]);

    const file = await world.app.inject({ method: 'GET', url: url.slice(CONTRACT_PUBLIC_URL.length) });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.toString('latin1')).toBe('\xff\xd8JPEG-BYTES');
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(fake.callsOf('getFile').map((c) => c.params)).toEqual([{ file_id: 'photo-big' }]);

    const forged = await world.app.inject({ method: 'GET', url: `${url.slice(CONTRACT_PUBLIC_URL.length)}x` });
    expect(forged.statusCode).toBe(404);
    expect(forged.json()).toMatchObject({ error: { code: 'SWB_ERR_FILE_LINK_INVALID' } });
  });

  it('ignores a group message that does not address the bot (200, nothing sent)', async () => {
    const res = await driver.sendUpdate(world.app, {
      update_id: 901,
      message: { message_id: 2, date: 1, chat: { id: -100, type: 'group' }, from: { id: 56, is_bot: false, first_name: 'G' }, text: 'hi all' },
    });
    expect(res.statusCode).toBe(200);
    await world.app.close();
    expect(world.payloads).toEqual([]);
    expect(driver.fake().calls).toEqual([]);
  });
});
