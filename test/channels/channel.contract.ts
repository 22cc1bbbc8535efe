/**
 * The channel contract: one suite every channel must pass through the real server
 * (`buildServer` + `inject`), with a per-channel driver that knows how to sign/send a user
 * message and how to observe the reply the user got (in the HTTP response, or through a fake
 * Bot API / Slack API). Run it with `channelContract(() => createXxxDriver())` from a test file.
 *
 * The webhook is a stub `CallIntegration` (answers `reply: <text>`, can fail or be slow), so the
 * suite is about the channel and the server, not the webhook client.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigSnapshot, ResolvedBot } from '../../runtime/config/snapshot.js';
import type { ChannelName, WebhookRequest } from '../../runtime/core/message.js';
import { createFileLinks } from '../../runtime/files/file-links.js';
import type { CallIntegration } from '../../runtime/pipeline/pipeline.js';
import type { Router } from '../../runtime/routing/router.js';
import { BODY_LIMIT, buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import type { Store } from '../../runtime/store/store.js';
import { waitFor } from '../helpers/config-tree.js';
import { bot as makeBot, integration, snapshot as makeSnapshot } from '../helpers/snapshot.js';

export type InjectResponse = Awaited<ReturnType<SwitchboardApp['inject']>>;

/** One user message as the contract describes it; drivers map it onto their platform. */
export interface ContractMessage {
  /** Unique per delivery unit (Telegram update_id, Slack event_id); equal for a re-delivery. */
  deliveryId: number;
  userId: string;
  text: string;
}

export type AuthMode = 'valid' | 'bad' | 'missing' | 'stale';

export interface ChannelDriver {
  readonly channel: ChannelName;
  /** Acks first and replies through the platform API (Telegram, Slack) rather than in the response. */
  readonly async: boolean;
  /** Drops a re-delivery of the same `deliveryId`. */
  readonly dedupes: boolean;
  /** Auth modes this channel can express (`stale` only for timestamped signatures). */
  readonly authModes: readonly AuthMode[];
  /** Status while the store is down: 503 for platforms that re-send, 200 (no history) for HTTP. */
  readonly storeOutageStatus: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The `channels` entry of the bot under test. */
  channels(): ResolvedBot['channels'];
  /** POSTs `message` to `/channels/<channel>/<bot>`; `padTo` grows the body to at least that many bytes. */
  send(app: SwitchboardApp, bot: string, message: ContractMessage, opts?: { auth?: AuthMode; padTo?: number }): Promise<InjectResponse>;
  /** Texts of the replies users got so far, in delivery order. */
  replies(): string[];
  /** The `user.id` the webhook sees for `ContractMessage.userId` (default: the same). */
  platformUserId?(userId: string): string;
  /** Everything users were sent so far (response bodies or platform API calls), as text. */
  delivered(): string;
}

/** A store whose every call rejects while `down` (a Redis outage). */
export function outageStore(inner: Store): Store & { down: boolean } {
  const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> => (wrapped.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) : fn(...args));
  const wrapped: Store & { down: boolean } = {
    kind: inner.kind,
    down: false,
    beginTurn: guard(inner.beginTurn.bind(inner)),
    setAssignment: guard(inner.setAssignment.bind(inner)),
    endTurn: guard(inner.endTurn.bind(inner)),
    claimOnce: guard(inner.claimOnce.bind(inner)),
    releaseClaim: guard(inner.releaseClaim.bind(inner)),
    incrementCounters: guard(inner.incrementCounters.bind(inner)),
    readCounters: guard(inner.readCounters.bind(inner)),
    readUserIndex: guard(inner.readUserIndex.bind(inner)),
    removeFromUserIndex: guard(inner.removeFromUserIndex.bind(inner)),
    readHistory: guard(inner.readHistory.bind(inner)),
    deleteKey: guard(inner.deleteKey.bind(inner)),
    health: () => (wrapped.down ? { kind: inner.kind, state: 'down' } : inner.health()),
    close: () => inner.close(),
  };
  return wrapped;
}

/** Picks the first entry with weight > 0, then fallbacks: enough for a channel suite. */
export const fixedOrderRouter: Router = {
  plan: (b) => ({ candidate: b.integrations.find((e) => e.weight > 0)?.name }),
  decide: (b, plan) => ({
    primary: plan.candidate,
    order: [...(plan.candidate ? [plan.candidate] : []), ...b.integrations.filter((e) => e.fallback && e.name !== plan.candidate).map((e) => e.name)],
  }),
  record: () => undefined,
};

/** Text of the last user message of a webhook payload. */
export function lastUserText(payload: WebhookRequest): string {
  const content = payload.messages.at(-1)?.content;
  if (typeof content === 'string') return content;
  return (content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
}

export interface ContractWorld {
  app: SwitchboardApp;
  store: Store & { down: boolean };
  snapshot: ConfigSnapshot;
  /** Payloads the stub webhook received, in order. */
  payloads: WebhookRequest[];
  /**
   * `ok` (default) or `fail` (HTTP 500); `delayMs` gives a per-text delay; `gate`, when set,
   * holds each call until the promise it returns settles (the test decides when).
   */
  webhook: { mode: 'ok' | 'fail'; delayMs: (text: string) => number; gate?: (text: string) => Promise<void>; attachments?: ReplyAttachment[] };
}

/** An attachment as a webhook reply carries it. */
type ReplyAttachment = { type: 'audio' | 'file' | 'image' | 'video'; url: string; name?: string };

export const CONTRACT_BOT = 'contract-bot';
export const CONTRACT_FALLBACK = 'Fallback: please try again later.';
export const CONTRACT_PUBLIC_URL = 'https://switchboard.contract.example';

/** Builds the server around a driver's bot (plus a bot without this channel). */
export async function buildContractWorld(driver: ChannelDriver): Promise<ContractWorld> {
  const payloads: WebhookRequest[] = [];
  const webhook: ContractWorld['webhook'] = { mode: 'ok', delayMs: () => 0 };
  const call: CallIntegration = async (_integration, payload) => {
    payloads.push(payload);
    const text = lastUserText(payload);
    const wait = webhook.delayMs(text);
    if (wait > 0) await delay(wait);
    if (webhook.gate) await webhook.gate(text);
    if (webhook.mode === 'fail') return { ok: false, failure: 'http_status', status: 500, message: 'the webhook answered HTTP 500', latencyMs: wait, retried: false };
    return { ok: true, reply: { content: `reply: ${text}`, ...(webhook.attachments ? { attachments: webhook.attachments } : {}) }, status: 200, latencyMs: wait, retried: false };
  };
  const snapshot = makeSnapshot(
    [makeBot(CONTRACT_BOT, { channels: driver.channels(), fallbackMessage: CONTRACT_FALLBACK }), makeBot('other-bot', { channels: {} })],
    [integration('primary')],
  );
  const store = outageStore(createMemoryStore());
  const files = createFileLinks({ publicUrl: CONTRACT_PUBLIC_URL, secret: 'contract-files-secret' });
  const app = await buildServer({ config: { current: () => snapshot }, store, router: fixedOrderRouter, call, files });
  return { app, store, snapshot, payloads, webhook };
}

/** Polls `driver.replies()` until it has `count` entries; then waits `settleMs` more so extras show. */
export async function waitForReplies(driver: ChannelDriver, count: number, opts: { timeoutMs?: number; settleMs?: number } = {}): Promise<string[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  while (driver.replies().length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} replies, got ${JSON.stringify(driver.replies())}`);
    await delay(10);
  }
  if (opts.settleMs) await delay(opts.settleMs);
  return driver.replies();
}

/** Registers the contract suite for one channel. */
export function channelContract(makeDriver: () => ChannelDriver): void {
  const probe = makeDriver();
  describe(`channel contract: ${probe.channel}`, () => {
    let driver: ChannelDriver;
    let world: ContractWorld;

    beforeEach(async () => {
      driver = makeDriver();
      await driver.start();
      world = await buildContractWorld(driver);
    });
    afterEach(async () => {
      await world.app.close();
      await driver.stop();
    });

    const msg = (deliveryId: number, text: string, userId = '1001'): ContractMessage => ({ deliveryId, userId, text });

    it('round trip: a text message gets the webhook reply', async () => {
      const res = await driver.send(world.app, CONTRACT_BOT, msg(1, 'hello'));
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-request-id']).toMatch(/^req_/);
      expect(await waitForReplies(driver, 1)).toEqual(['reply: hello']);
      expect(world.payloads).toHaveLength(1);
      const userId = driver.platformUserId?.('1001') ?? '1001';
      expect(world.payloads[0]).toMatchObject({ user: { id: userId, platform: probe.channel }, bot: { id: CONTRACT_BOT }, metadata: { channel: probe.channel } });
    });

    it('reply attachments: only https reaches the user; other schemes are dropped and counted, the rest is delivered', async () => {
      const dropped = ['file:///etc/passwd', 'data:text/plain;base64,aGk=', 'javascript:alert(1)', 'http://cdn.example/plain.pdf'];
      world.webhook.attachments = [{ type: 'image', url: 'https://cdn.example/ok.png' }, ...dropped.map((url, i): ReplyAttachment => ({ type: i % 2 ? 'image' : 'file', url, name: `a${i}` }))];
      (world.snapshot as { allowPrivateNetwork: boolean }).allowPrivateNetwork = false;
      const res = await driver.send(world.app, CONTRACT_BOT, msg(11, 'files'));
      expect(res.statusCode).toBe(200);
      expect(await waitForReplies(driver, 1)).toEqual(['reply: files']);
      await waitFor(() => driver.delivered().includes('https://cdn.example/ok.png'), 5000, 'the https attachment');
      for (const url of dropped) expect(driver.delivered()).not.toContain(url);
      const metric = await world.app.metrics.registry.getSingleMetricAsString('switchboard_reply_attachments_dropped_total');
      for (const scheme of ['file', 'data', 'javascript', 'http']) expect(metric).toContain(`switchboard_reply_attachments_dropped_total{bot="${CONTRACT_BOT}",scheme="${scheme}"} 1`);
    });

    it('reply attachments over http are delivered when private networks are allowed', async () => {
      world.webhook.attachments = [{ type: 'file', url: 'http://cdn.example/plain.pdf', name: 'plain' }];
      await driver.send(world.app, CONTRACT_BOT, msg(12, 'plain'));
      await waitFor(() => driver.delivered().includes('http://cdn.example/plain.pdf'), 5000, 'the http attachment');
    });

    for (const auth of ['bad', 'missing', 'stale'] as const) {
      it.skipIf(!probe.authModes.includes(auth))(`${auth} credentials → 401, nothing processed`, async () => {
        const res = await driver.send(world.app, CONTRACT_BOT, msg(2, 'intruder'), { auth });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ error: { code: 'SWB_ERR_HTTP_UNAUTHORIZED' } });
        await delay(50);
        expect(world.payloads).toEqual([]);
        expect(driver.replies()).toEqual([]);
      });
    }

    it('unknown bot or channel not enabled → 404 before auth', async () => {
      for (const bot of ['no-such-bot', 'other-bot']) {
        const res = await driver.send(world.app, bot, msg(3, 'x'), { auth: probe.authModes.includes('missing') ? 'missing' : 'valid' });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toMatchObject({ error: { code: 'SWB_ERR_HTTP_NOT_FOUND' } });
      }
    });

    it('a body over 1 MiB → 413 after auth (401 first when credentials are missing)', async () => {
      const big = await driver.send(world.app, CONTRACT_BOT, msg(4, 'big'), { padTo: BODY_LIMIT + 10 });
      expect(big.statusCode).toBe(413);
      expect(big.json()).toMatchObject({ error: { code: 'SWB_ERR_HTTP_BODY_TOO_LARGE' } });
      if (probe.authModes.includes('missing')) {
        const unauth = await driver.send(world.app, CONTRACT_BOT, msg(5, 'big'), { padTo: BODY_LIMIT + 10, auth: 'missing' });
        expect(unauth.statusCode).toBe(401);
      }
      expect(world.payloads).toEqual([]);
    });

    it.skipIf(!probe.dedupes)('a re-delivered update/event is processed once', async () => {
      const first = await driver.send(world.app, CONTRACT_BOT, msg(6, 'only once'));
      const again = await driver.send(world.app, CONTRACT_BOT, msg(6, 'only once'));
      expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
      expect(await waitForReplies(driver, 1, { settleMs: 100 })).toEqual(['reply: only once']);
      expect(world.payloads).toHaveLength(1);
    });

    it(`store outage → ${probe.storeOutageStatus}${probe.storeOutageStatus === 503 ? ' (the platform re-sends) and the re-send is processed once' : ' without history'}`, async () => {
      world.store.down = true;
      const res = await driver.send(world.app, CONTRACT_BOT, msg(7, 'during outage'));
      expect(res.statusCode).toBe(probe.storeOutageStatus);
      if (probe.storeOutageStatus === 503) {
        expect(res.json()).toMatchObject({ error: { code: 'SWB_ERR_STORE_UNAVAILABLE' } });
        await delay(50);
        expect(world.payloads).toEqual([]);
        world.store.down = false;
        expect((await driver.send(world.app, CONTRACT_BOT, msg(7, 'during outage'))).statusCode).toBe(200);
      }
      expect(await waitForReplies(driver, 1, { settleMs: 50 })).toEqual(['reply: during outage']);
      expect(world.payloads).toHaveLength(1);
    });

    it('a failing webhook still gets the user the fallback message', async () => {
      world.webhook.mode = 'fail';
      const res = await driver.send(world.app, CONTRACT_BOT, msg(8, 'anyone?'));
      expect(res.statusCode).toBe(200);
      expect(await waitForReplies(driver, 1)).toEqual([CONTRACT_FALLBACK]);
    });

    it('messages of one conversation reach the webhook and the user in order', async () => {
      world.webhook.delayMs = (text) => (text === 'first' ? 120 : 0);
      const sent = [driver.send(world.app, CONTRACT_BOT, msg(9, 'first')), driver.send(world.app, CONTRACT_BOT, msg(10, 'second'))];
      if (probe.async) for (const r of await Promise.all(sent)) expect(r.statusCode).toBe(200);
      else await Promise.all(sent);
      expect(await waitForReplies(driver, 2)).toEqual(['reply: first', 'reply: second']);
      expect(world.payloads.map(lastUserText)).toEqual(['first', 'second']);
    });

    it.skipIf(!probe.async)('acks before the webhook answers, and shutdown drains the background work', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      world.webhook.gate = () => held;
      // The webhook cannot answer until released, so a 200 here was sent before it answered.
      const res = await driver.send(world.app, CONTRACT_BOT, msg(11, 'slow one'));
      expect(res.statusCode).toBe(200);
      expect(driver.replies()).toEqual([]);
      let closed = false;
      const closing = world.app.close().then(() => {
        closed = true;
      });
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(closed).toBe(false);
      release();
      await closing;
      expect(world.payloads.map(lastUserText)).toEqual(['slow one']);
      expect(driver.replies()).toEqual(['reply: slow one']);
    });
  });
}

/** The driver of the synchronous HTTP channel (the reply is the response body). */
export function createHttpDriver(opts: { token?: string } = {}): ChannelDriver {
  const token = opts.token ?? 'http-contract-token';
  const replies: string[] = [];
  const bodies: string[] = [];
  return {
    channel: 'http',
    async: false,
    dedupes: false,
    authModes: ['bad', 'missing'],
    storeOutageStatus: 200,
    async start() {},
    async stop() {},
    channels: () => ({ http: { token } }),
    async send(app, bot, message, o = {}) {
      const auth = o.auth ?? 'valid';
      const body: Record<string, unknown> = { user: { id: message.userId }, text: message.text };
      if (o.padTo) body.metadata_pad = 'x'.repeat(o.padTo);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth === 'valid') headers.authorization = `Bearer ${token}`;
      if (auth === 'bad') headers.authorization = 'Bearer wrong-token';
      const res = await app.inject({ method: 'POST', url: `/channels/http/${bot}`, headers, payload: JSON.stringify(body) });
      if (res.statusCode === 200) replies.push((res.json() as { content: string }).content);
      bodies.push(res.body);
      return res;
    },
    replies: () => replies,
    delivered: () => bodies.join('\n'),
  };
}
