import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../runtime/channels/channel.js';
import type { ChannelName } from '../../runtime/core/message.js';
import { bot as makeBot } from '../helpers/snapshot.js';
import { createTestContext, type TestContext } from '../channels/channel-test-context.js';

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

interface Options {
  channel: ChannelName;
  platform: string;
  noun: string;
  claimKey: string;
  ttlSeconds: number;
  duplicateFields: Record<string, unknown>;
  queueKey: string;
}

/** An `ack` channel whose triage always accepts one job described by `o`. */
const options = (over: Partial<Options> = {}): ChannelAdapter => {
  const o: Options = { channel: 'telegram', platform: 'Telegram', noun: 'update', claimKey: 'tg:support:1', ttlSeconds: 60, duplicateFields: { update_id: 1 }, queueKey: 'telegram:support:c1', ...over };
  return {
    name: o.channel,
    mode: 'ack',
    platform: o.platform,
    noun: o.noun,
    triage: (request) => ({
      kind: 'job',
      job: { channel: o.channel, bot: 'support', requestId: request.requestId, conversationKey: o.queueKey, claim: { key: o.claimKey, ttlSeconds: o.ttlSeconds, logFields: o.duplicateFields }, payload: {} },
    }),
    run: async () => {
      ran.push('job');
      return undefined;
    },
  };
};
const claimAndQueue = (adapter: ChannelAdapter) => tc.handle(adapter, tc.request({}), bot);

/** Parsed log lines whose `msg` is `msg`. */
const logged = (msg: string): Array<Record<string, unknown>> =>
  tc.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

describe('the channel gate: claim and queue', () => {
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

