import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimAndQueue, processWithFallback, type ClaimAndQueueOptions } from '../../runtime/channels/ack-then-process.js';
import type { InboundMessage } from '../../runtime/core/message.js';
import { bot as makeBot } from '../helpers/snapshot.js';
import { createTestContext, type TestContext } from './channel-test-context.js';

const bot = makeBot('support', { fallbackMessage: 'Sorry, try later.' });
let tc: TestContext;
let ran: string[];

beforeEach(() => {
  tc = createTestContext([bot]);
  ran = [];
});
afterEach(async () => {
  await tc.close();
});

const options = (over: Partial<ClaimAndQueueOptions> = {}): ClaimAndQueueOptions => ({
  request: tc.request({}),
  ctx: tc.ctx,
  channel: 'telegram',
  bot: 'support',
  platform: 'Telegram',
  noun: 'update',
  claimKey: 'tg:support:1',
  ttlSeconds: 60,
  duplicateFields: { update_id: 1 },
  queueKey: 'telegram:support:c1',
  job: async () => {
    ran.push('job');
  },
  ...over,
});

/** Parsed log lines whose `msg` is `msg`. */
const logged = (msg: string): Array<Record<string, unknown>> =>
  tc.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

describe('claimAndQueue', () => {
  it('claims the key for ttlSeconds, queues the job under queueKey and answers 200', async () => {
    const before = Date.now();
    expect(await claimAndQueue(options())).toEqual({ status: 200 });
    await tc.settle();
    expect(ran).toEqual(['job']);
    expect(tc.keys).toEqual(['telegram:support:c1']);
    const expiry = tc.store.claims.get('tg:support:1') as number;
    expect(expiry).toBeGreaterThanOrEqual(before + 60_000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('acks a duplicate with 200 without queueing, logging the duplicate fields', async () => {
    await claimAndQueue(options());
    expect(await claimAndQueue(options({ channel: 'slack', platform: 'Slack', noun: 'event', duplicateFields: { event_id: 'Ev1', retry: '1' } }))).toEqual({ status: 200 });
    await tc.settle();
    expect(ran).toEqual(['job']);
    const [line] = logged('duplicate event ignored');
    expect(line).toMatchObject({ level: 30, channel: 'slack', bot: 'support', event_id: 'Ev1', retry: '1' });
  });

  it('answers 503 SWB_ERR_STORE_UNAVAILABLE when the claim cannot be recorded, and queues nothing', async () => {
    tc.store.down = true;
    expect(await claimAndQueue(options())).toEqual({ status: 503, body: { error: { code: 'SWB_ERR_STORE_UNAVAILABLE', message: 'The history store is unavailable' } } });
    expect(tc.keys).toEqual([]);
    expect(logged('store unavailable; asking Telegram to re-send')).toMatchObject([{ level: 40, channel: 'telegram', bot: 'support', err: 'connect ECONNREFUSED 127.0.0.1:6379' }]);
  });

  it('releases the claim and answers 503 SWB_ERR_HTTP_UNAVAILABLE when the job cannot be queued', async () => {
    tc.refuseBackground = true;
    expect(await claimAndQueue(options())).toEqual({ status: 503, body: { error: { code: 'SWB_ERR_HTTP_UNAVAILABLE', message: 'Temporarily unavailable; retry later' } } });
    expect(tc.store.released).toEqual(['tg:support:1']);
    expect(tc.store.claims.size).toBe(0);
    expect(logged('could not queue the update; asking Telegram to re-send')).toMatchObject([{ level: 40, channel: 'telegram', bot: 'support', err: 'shutting down' }]);
  });
});

describe('processWithFallback', () => {
  const message = { text: 'hi' } as InboundMessage;

  it('resolves with the pipeline reply', async () => {
    const reply = await processWithFallback(tc.ctx, bot, 'slack', tc.log, () => message);
    expect(reply).toMatchObject({ content: 'echo: hi', attachments: [] });
    expect(tc.processed).toEqual([message]);
  });

  it('answers the fallback message when the pipeline throws', async () => {
    tc.setProcess(async () => {
      throw new Error('pipeline exploded');
    });
    expect(await processWithFallback(tc.ctx, bot, 'slack', tc.log, () => message)).toEqual({ content: 'Sorry, try later.', attachments: [] });
    expect(logged('message processing failed; sending the fallback message')).toMatchObject([{ level: 50, channel: 'slack', bot: 'support', err: 'pipeline exploded' }]);
  });

  it('answers the fallback message when the message cannot be built', async () => {
    const reply = await processWithFallback(tc.ctx, bot, 'telegram', tc.log, () => {
      throw new Error('no file links');
    });
    expect(reply).toEqual({ content: 'Sorry, try later.', attachments: [] });
    expect(tc.processed).toEqual([]);
    expect(logged('message processing failed; sending the fallback message')).toMatchObject([{ channel: 'telegram', err: 'no file links' }]);
  });
});
