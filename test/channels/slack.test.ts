import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../runtime/channels/channel.js';
import { createSlackAdapter, slackAdapter } from '../../runtime/channels/slack.js';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import { bot as makeBot } from '../helpers/snapshot.js';
import { signSlackRequest, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { createTestContext, type TestContext } from './channel-test-context.js';

const SIGNING_SECRET = 'slack-signing-secret-abcdef';

let fake: FakeSlack;
let tc: TestContext;
let bot: ResolvedBot;
let adapter: ChannelAdapter;

/** A signed ChannelRequest for `body`, as Slack would send it. */
function signed(body: unknown, extra: Record<string, string> = {}, nowSeconds?: number) {
  const raw = JSON.stringify(body);
  return tc.request(body, { ...signSlackRequest(SIGNING_SECRET, raw, nowSeconds), ...extra }, Buffer.from(raw));
}

function dm(eventId: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'event_callback',
    team_id: 'T0001',
    event_id: eventId,
    event_time: 1,
    authorizations: [{ team_id: 'T0001', user_id: 'UBOT0001', is_bot: true }],
    event: { type: 'message', channel: 'D0042', channel_type: 'im', user: 'UALICE', text, ts: '1700000001.000200', team: 'T0001', ...extra },
  };
}

function mention(eventId: string, text: string, extra: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'event_callback',
    event_id: eventId,
    authorizations: [{ user_id: 'UBOT0001', is_bot: true }],
    event: { type: 'app_mention', channel: 'C0777', user: 'UBOB', text, ts: '1700000002.000300', ...extra },
    ...envelope,
  };
}

beforeEach(async () => {
  fake = await startFakeSlack();
  bot = makeBot('support', { channels: { slack: { botToken: fake.botToken, signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl } }, fallbackMessage: 'Sorry, try later.' });
  tc = createTestContext([bot]);
  adapter = createSlackAdapter();
});

afterEach(async () => {
  await tc.close();
  await fake.close();
});

describe('slack request verification', () => {
  it('answers url_verification with the challenge', async () => {
    const res = await tc.handle(adapter, signed({ type: 'url_verification', token: 'legacy', challenge: 'ch4ll3ng3' }), bot);
    expect(res).toEqual({ status: 200, body: { challenge: 'ch4ll3ng3' } });
  });

  it('answers 401 to a bad, stale, malformed or missing signature and processes nothing', async () => {
    const body = dm('Ev1', 'hi');
    const raw = JSON.stringify(body);
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<Record<string, string>> = [
      { 'x-slack-request-timestamp': String(now), 'x-slack-signature': `v0=${'0'.repeat(64)}` },
      signSlackRequest('wrong-secret', raw, now),
      signSlackRequest(SIGNING_SECRET, raw, now - 600),
      signSlackRequest(SIGNING_SECRET, raw, now + 600),
      { 'x-slack-request-timestamp': 'yesterday', 'x-slack-signature': signSlackRequest(SIGNING_SECRET, raw, now)['x-slack-signature'] as string },
      { 'x-slack-request-timestamp': String(now), 'x-slack-signature': 'v0=zz' },
      {},
    ];
    for (const headers of cases) {
      const res = await tc.handle(adapter, tc.request(body, headers, Buffer.from(raw)), bot);
      expect(res.status).toBe(401);
      expect((res.body as { error: { code: string } }).error.code).toBe('SWB_ERR_HTTP_UNAUTHORIZED');
    }
    // The signature covers the raw bytes: the same JSON with other whitespace does not pass.
    const res = await tc.handle(adapter, tc.request(body, signSlackRequest(SIGNING_SECRET, raw, now), Buffer.from(`${raw} `)), bot);
    expect(res.status).toBe(401);
    await tc.settle();
    expect(tc.processed).toEqual([]);
    expect(tc.store.claims.size).toBe(0);
  });

  it('authenticate checks the headers before the body is read', () => {
    const now = Math.floor(Date.now() / 1000);
    const ok = signSlackRequest(SIGNING_SECRET, '{}', now);
    expect(adapter.authenticate?.(ok, bot)).toBe(true);
    expect(adapter.authenticate?.(signSlackRequest(SIGNING_SECRET, '{}', now - 301), bot)).toBe(false);
    expect(adapter.authenticate?.({ 'x-slack-signature': ok['x-slack-signature'] }, bot)).toBe(false);
    expect(adapter.authenticate?.(ok, makeBot('x'))).toBe(false);
  });

  it('uses the injected clock', async () => {
    const frozen = createSlackAdapter({ now: () => 1_000_000_000_000 });
    const res = await tc.handle(frozen, signed({ type: 'url_verification', challenge: 'c' }, {}, 1_000_000_000), bot);
    expect(res.status).toBe(200);
    expect((await tc.handle(frozen, signed({ type: 'url_verification', challenge: 'c' }), bot)).status).toBe(401);
  });
});

describe('slack events', () => {
  it('acks a DM at once, then answers in its thread', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    tc.setProcess(async (m) => {
      await gate;
      return { content: `echo: ${m.text}`, attachments: [] };
    });
    const res = await tc.handle(adapter, signed(dm('Ev100', 'hello &lt;world&gt; &amp; co')), bot);
    expect(res).toEqual({ status: 200 });
    expect(fake.callsOf('chat.postMessage')).toEqual([]);
    release();
    await tc.settle();
    expect(tc.processed).toEqual([
      {
        bot: 'support',
        channel: 'slack',
        conversationId: 'D0042:1700000001.000200',
        chatId: 'D0042',
        messageId: '1700000001.000200',
        user: { id: 'UALICE' },
        text: 'hello <world> & co',
        attachments: [],
        metadata: { channel_type: 'im', thread_ts: '1700000001.000200', team: 'T0001' },
        requestId: 'req_1',
      },
    ]);
    expect(tc.keys).toEqual(['slack:support:D0042:1700000001.000200']);
    const post = fake.callsOf('chat.postMessage')[0];
    expect(post?.params).toEqual({ channel: 'D0042', thread_ts: '1700000001.000200', text: 'echo: hello &lt;world&gt; &amp; co' });
    expect(post?.authorization).toBe(`Bearer ${fake.botToken}`);
    expect(fake.callsOf('auth.test')).toEqual([]);
  });

  it('keeps a thread as one conversation and strips the bot mention from app_mention', async () => {
    await tc.handle(adapter, signed(mention('Ev200', '<@UBOT0001> summarise this', { thread_ts: '1699999999.000001' })), bot);
    await tc.settle();
    expect(tc.processed.map((m) => [m.conversationId, m.chatId, m.messageId, m.text])).toEqual([['C0777:1699999999.000001', 'C0777', '1700000002.000300', 'summarise this']]);
    expect(fake.callsOf('chat.postMessage')[0]?.params).toMatchObject({ channel: 'C0777', thread_ts: '1699999999.000001' });
  });

  it('finds its own user id with auth.test when the envelope has no authorizations', async () => {
    await tc.handle(adapter, signed(mention('Ev201', 'hey <@UBOT0001>', {}, { authorizations: undefined })), bot);
    await tc.settle();
    expect(tc.processed.map((m) => m.text)).toEqual(['hey']);
    expect(fake.callsOf('auth.test')).toHaveLength(1);
  });

  it('never answers itself, other bots, edits, deletions or channel chatter', async () => {
    const ignored = [
      dm('Ev300', 'mine', { user: 'UBOT0001' }),
      dm('Ev301', 'bot says', { bot_id: 'BOTHER' }),
      dm('Ev302', 'bot msg', { subtype: 'bot_message', bot_id: 'B1' }),
      dm('Ev303', '', { subtype: 'message_changed', message: { text: 'new' } }),
      dm('Ev304', '', { subtype: 'message_deleted' }),
      dm('Ev305', 'joined', { subtype: 'channel_join' }),
      dm('Ev306', 'in a channel', { channel_type: 'channel' }),
      dm('Ev307', '   '),
      { type: 'event_callback', event_id: 'Ev308', event: { type: 'reaction_added', user: 'U1' } },
      { type: 'app_rate_limited', minute_rate_limited: 1 },
    ];
    for (const body of ignored) expect(await tc.handle(adapter, signed(body), bot)).toEqual({ status: 200 });
    await tc.settle();
    expect(tc.processed).toEqual([]);
    expect(tc.store.claims.size).toBe(0);
    expect(fake.calls).toEqual([]);
  });

  it('ignores its own message even when only auth.test knows who it is', async () => {
    await tc.handle(adapter, signed({ ...dm('Ev309', 'me again', { user: 'UBOT0001' }), authorizations: [] }), bot);
    await tc.settle();
    expect(tc.processed).toEqual([]);
    expect(fake.callsOf('auth.test')).toHaveLength(1);
    expect(fake.callsOf('chat.postMessage')).toEqual([]);
  });

  it('processes a retried event once', async () => {
    const body = dm('Ev400', 'once');
    expect((await tc.handle(adapter, signed(body), bot)).status).toBe(200);
    expect((await tc.handle(adapter, signed(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }), bot)).status).toBe(200);
    await tc.settle();
    expect(tc.processed.map((m) => m.text)).toEqual(['once']);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('answers 503 during a store outage and processes the retry exactly once', async () => {
    tc.store.down = true;
    const first = await tc.handle(adapter, signed(dm('Ev401', 'lost?')), bot);
    expect(first).toEqual({ status: 503, body: { error: { code: 'SWB_ERR_STORE_UNAVAILABLE', message: 'The history store is unavailable' } } });
    tc.store.down = false;
    expect((await tc.handle(adapter, signed(dm('Ev401', 'lost?'), { 'x-slack-retry-num': '1' }), bot)).status).toBe(200);
    expect((await tc.handle(adapter, signed(dm('Ev401', 'lost?'), { 'x-slack-retry-num': '2' }), bot)).status).toBe(200);
    await tc.settle();
    expect(tc.processed.map((m) => m.text)).toEqual(['lost?']);
  });

  it('releases the claim when processing cannot start, so the retry is processed', async () => {
    tc.refuseBackground = true;
    expect((await tc.handle(adapter, signed(dm('Ev402', 'x')), bot)).status).toBe(503);
    expect(tc.store.released).toEqual(['slack:support:Ev402']);
    tc.refuseBackground = false;
    expect((await tc.handle(adapter, signed(dm('Ev402', 'x'), { 'x-slack-retry-num': '1' }), bot)).status).toBe(200);
    await tc.settle();
    expect(tc.processed.map((m) => m.text)).toEqual(['x']);
  });

  it('posts the fallback message when the pipeline throws', async () => {
    tc.setProcess(async () => {
      throw new Error('boom');
    });
    await tc.handle(adapter, signed(dm('Ev500', 'hi')), bot);
    await tc.settle();
    expect(fake.callsOf('chat.postMessage').map((c) => c.params.text)).toEqual(['Sorry, try later.']);
  });

  it('still answers with the fallback message when the message cannot be built (file links not configured)', async () => {
    tc.ctx.fileUrl = () => {
      throw new Error('file links are not configured');
    };
    await tc.handle(adapter, signed(dm('Ev503', 'see file', { subtype: 'file_share', files: [{ id: 'F1', name: 'a.txt', mimetype: 'text/plain', url_private: 'https://files.slack.com/a.txt' }] })), bot);
    await tc.settle();
    expect(tc.processed).toEqual([]);
    expect(fake.callsOf('chat.postMessage').map((c) => c.params.text)).toEqual(['Sorry, try later.']);
  });

  it('logs Slack API errors with Slack’s error code and never the token', async () => {
    fake.fail('chat.postMessage', 'channel_not_found');
    await tc.handle(adapter, signed(dm('Ev501', 'hi')), bot);
    await tc.settle();
    const line = tc.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'Slack API error');
    expect(line).toMatchObject({ channel: 'slack', method: 'chat.postMessage', error: 'channel_not_found' });
    expect(tc.lines.join('\n')).not.toContain(fake.botToken);
  });

  it('honours Retry-After on 429', async () => {
    fake.rateLimit('chat.postMessage', 1);
    await tc.handle(adapter, signed(dm('Ev502', 'hi')), bot);
    await tc.settle();
    const posts = fake.callsOf('chat.postMessage');
    expect(posts).toHaveLength(2);
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });
});

describe('slack files', () => {
  it('re-serves url_private through a signed link and streams it with the bot token', async () => {
    const url = fake.addFile('F0001', 'chart.png', Buffer.from('PNGDATA'), 'image/png');
    await tc.handle(adapter, signed(dm('Ev600', 'look', { subtype: 'file_share', files: [{ id: 'F0001', name: 'chart.png', mimetype: 'image/png', url_private: url }] })), bot);
    await tc.settle();
    const att = tc.processed[0]?.attachments[0];
    expect(att).toMatchObject({ type: 'image', name: 'chart.png', mimeType: 'image/png' });
    expect(att?.url.startsWith('https://switchboard.example.com/files/')).toBe(true);
    const ref = tc.links.verify((att?.url ?? '').split('/files/')[1] ?? '');
    expect(ref).toMatchObject({ channel: 'slack', bot: 'support', ref: url });
    const file = await adapter.openFile!(bot, ref?.ref ?? '', tc.ctx);
    const chunks: Buffer[] = [];
    for await (const c of file.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('PNGDATA');
    expect(file).toMatchObject({ contentType: 'image/png', size: 7 });
    expect(fake.downloads).toEqual([{ path: '/files-pri/T0001-F0001/chart.png', authorization: `Bearer ${fake.botToken}` }]);
  });

  it('resolves id: refs with files.info', async () => {
    fake.addFile('F0002', 'notes.txt', Buffer.from('hello'), 'text/plain');
    await tc.handle(adapter, signed(dm('Ev601', '', { subtype: 'file_share', files: [{ id: 'F0002', name: 'notes.txt', mimetype: 'text/plain', file_access: 'check_file_info' }] })), bot);
    await tc.settle();
    const att = tc.processed[0]?.attachments[0];
    expect(tc.processed[0]?.text).toBeUndefined();
    const ref = tc.links.verify((att?.url ?? '').split('/files/')[1] ?? '');
    expect(ref?.ref).toBe('id:F0002');
    const file = await adapter.openFile!(bot, 'id:F0002', tc.ctx);
    file.body.resume();
    expect(file.contentType).toBe('text/plain');
    expect(fake.callsOf('files.info').map((c) => c.params)).toEqual([{ file: 'F0002' }]);
    await expect(adapter.openFile!(bot, 'id:F9999', tc.ctx)).rejects.toMatchObject({ code: 'SWB_ERR_FILE_LINK_INVALID' });
  });

  it('never sends the bot token to a host other than Slack or the apiUrl', async () => {
    await expect(adapter.openFile!(bot, 'https://attacker.example.net/files-pri/x', tc.ctx)).rejects.toMatchObject({ error: 'host_not_allowed' });
    await expect(adapter.openFile!(bot, 'http://127.0.0.2:9/files-pri/x', tc.ctx)).rejects.toMatchObject({ error: 'host_not_allowed' });
  });

  it('posts image attachments as image blocks and other files as links', async () => {
    tc.setProcess(async () => ({
      content: 'a < b',
      attachments: [
        { type: 'image', url: 'https://cdn.example.com/a.png', name: 'a.png' },
        { type: 'file', url: 'https://cdn.example.com/r.pdf', name: 'report.pdf' },
      ],
    }));
    await tc.handle(adapter, signed(dm('Ev700', 'files')), bot);
    await tc.settle();
    expect(fake.callsOf('chat.postMessage').map((c) => c.params)).toEqual([
      {
        channel: 'D0042',
        thread_ts: '1700000001.000200',
        text: 'a &lt; b\n<https://cdn.example.com/r.pdf|report.pdf>',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'a &lt; b\n<https://cdn.example.com/r.pdf|report.pdf>' } },
          { type: 'image', image_url: 'https://cdn.example.com/a.png', alt_text: 'a.png', title: { type: 'plain_text', text: 'a.png' } },
        ],
      },
    ]);
  });

  it('falls back to links when Slack refuses the image blocks', async () => {
    tc.setProcess(async () => ({ content: '', attachments: [{ type: 'image', url: 'https://cdn.example.com/gone.png' }] }));
    fake.fail('chat.postMessage', 'invalid_blocks');
    await tc.handle(adapter, signed(dm('Ev701', 'img')), bot);
    await tc.settle();
    expect(fake.callsOf('chat.postMessage').map((c) => c.params.text)).toEqual(['image', '<https://cdn.example.com/gone.png>']);
  });

  it('exports a default adapter named slack', () => {
    expect(slackAdapter.name).toBe('slack');
  });
});
