import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processWithFallback } from '../../runtime/channels/process-with-fallback.js';
import type { InboundMessage } from '../../runtime/core/message.js';
import { bot as makeBot } from '../helpers/snapshot.js';
import { createTestContext, type TestContext } from './channel-test-context.js';

const bot = makeBot('support', { fallbackMessage: 'Sorry, try later.' });
let tc: TestContext;

beforeEach(() => {
  tc = createTestContext([bot]);
});
afterEach(async () => {
  await tc.close();
});

/** Parsed log lines whose `msg` is `msg`. */
const logged = (msg: string): Array<Record<string, unknown>> =>
  tc.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

describe('processWithFallback', () => {
  const message = { text: 'hi' } as InboundMessage;

  it('resolves with the pipeline reply', async () => {
    const reply = (await processWithFallback(tc.ctx, bot, 'slack', tc.log, () => message).reply);
    expect(reply).toMatchObject({ content: 'echo: hi', attachments: [] });
    expect(tc.processed).toEqual([message]);
  });

  it('answers the fallback message when the pipeline throws', async () => {
    tc.setProcess(async () => {
      throw new Error('pipeline exploded');
    });
    expect((await processWithFallback(tc.ctx, bot, 'slack', tc.log, () => message).reply)).toEqual({ content: 'Sorry, try later.', attachments: [] });
    expect(logged('message processing failed; sending the fallback message')).toMatchObject([{ level: 50, channel: 'slack', bot: 'support', err: 'pipeline exploded' }]);
  });

  it('answers the fallback message when the message cannot be built', async () => {
    const reply = await processWithFallback(tc.ctx, bot, 'telegram', tc.log, () => {
      throw new Error('no file links');
    }).reply;
    expect(reply).toEqual({ content: 'Sorry, try later.', attachments: [] });
    expect(tc.processed).toEqual([]);
    expect(logged('message processing failed; sending the fallback message')).toMatchObject([{ channel: 'telegram', err: 'no file links' }]);
  });
});
