/**
 * Randomized crash test: 200 Telegram updates over 10 conversations reach three `serve`
 * replicas on one Redis while replicas are SIGKILLed and restarted at random moments
 * (seeded, so a failure can be replayed with SWB_CRASH_SEED). Afterwards every update was
 * answered, no conversation saw an out-of-order or concurrent webhook call, and the
 * duplicate replies (printed) are within what the crash window allows.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-webhook.js';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { startRedis, type RedisHandle } from '../helpers/redis.js';
import { configDir, waitFor } from './helpers.js';
import { startServe, type ServeProcess } from './serve-process.js';
import { seededRandom } from '../helpers/seeded-random.js';

const SECRET = 'crash-secret-token';
const CONVERSATIONS = 10;
const PER_CONVERSATION = 20;


let redis: RedisHandle;
let tg: FakeTelegram;
let hook: FakeServer;
let cfg: Awaited<ReturnType<typeof configDir>>;
const seed = Number(process.env.SWB_CRASH_SEED ?? Date.now() % 100_000);
const random = seededRandom(seed);
const open = new Map<string, number>();
let overlaps = 0;
/** Per conversation, the sequence numbers in the order the webhook received them. */
const seen = new Map<string, number[]>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lastText = (req: RecordedRequest): string => {
  const messages = (req.json as { messages: Array<{ content: unknown }> }).messages;
  return String(messages[messages.length - 1]?.content);
};

async function answer(req: RecordedRequest, res: ServerResponse): Promise<void> {
  const conv = (req.json as { conversation_id: string }).conversation_id;
  const text = lastText(req);
  const n = (open.get(conv) ?? 0) + 1;
  open.set(conv, n);
  if (n > 1) overlaps++;
  res.once('close', () => open.set(conv, (open.get(conv) ?? 1) - 1));
  const list = seen.get(conv) ?? [];
  list.push(Number(text.split('-')[1]));
  seen.set(conv, list);
  await sleep(20 + Math.floor(random() * 180));
  sendJson(res, 200, { content: `re:${text}|` });
}

beforeAll(async () => {
  redis = await startRedis();
  tg = await startFakeTelegram();
  hook = await startFakeServer(answer);
  cfg = await configDir({
    'bot.yaml': `apiVersion: switchboard/v1\nkind: Integration\nname: hook\nurl: ${hook.origin}/hook\ntimeout: 30s\n---\napiVersion: switchboard/v1\nkind: Bot\nname: c\nchannels:\n  telegram:\n    token: ${tg.token}\n    secretToken: ${SECRET}\n    apiUrl: ${tg.url}\nintegrations:\n  - name: hook\n`,
  });
});
afterAll(async () => {
  await Promise.all([tg?.close(), hook?.close(), cfg?.remove()]);
  await redis?.stop();
});

const env = () => ({ REDIS_URL: redis.url, SWITCHBOARD_DELIVERY_LEASE: '2s' });

async function post(to: ServeProcess, chat: number, seq: number): Promise<number> {
  const id = chat * 1000 + seq;
  const update = { update_id: id, message: { message_id: id, date: 1_700_000_000, chat: { id: chat, type: 'private' }, from: { id: chat, is_bot: false, first_name: 'U' }, text: `c${chat}-${seq}` } };
  try {
    const res = await fetch(`${to.url}/channels/telegram/c`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(update), signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

describe('randomized crash test', () => {
  it('answers every update, in order per conversation, with duplicates only from the crash window', async () => {
    const slots: Array<ServeProcess | undefined> = [];
    for (let i = 0; i < 3; i++) slots[i] = await startServe(cfg.dir, env());
    const alive = (): ServeProcess[] => slots.filter((s): s is ServeProcess => s !== undefined);
    let sending = true;
    let kills = 0;

    // Like Telegram: one conversation's updates one after the other, each re-sent until a 2xx.
    const senders = Array.from({ length: CONVERSATIONS }, async (_, c) => {
      const chat = 100 + c;
      for (let seq = 0; seq < PER_CONVERSATION; seq++) {
        for (;;) {
          const targets = alive();
          const to = targets[Math.floor(random() * targets.length)];
          if (to && (await post(to, chat, seq)) === 200) break;
          await sleep(100);
        }
        await sleep(Math.floor(random() * 900));
      }
    });
    const chaos = (async () => {
      while (sending) {
        await sleep(600 + Math.floor(random() * 900));
        if (!sending) break;
        const i = Math.floor(random() * slots.length);
        const victim = slots[i];
        if (!victim || alive().length < 2) continue;
        slots[i] = undefined;
        await victim.kill('SIGKILL');
        kills++;
        await sleep(200 + Math.floor(random() * 600));
        slots[i] = await startServe(cfg.dir, env());
      }
    })();
    await Promise.all(senders);
    sending = false;
    await chaos;

    const replies = (): Map<string, number> => {
      const counts = new Map<string, number>();
      for (const call of tg.callsOf('sendMessage')) {
        const key = String(call.params.text).replace(/\|.*$/, '');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    };
    const expected = Array.from({ length: CONVERSATIONS }, (_, c) => Array.from({ length: PER_CONVERSATION }, (_, s) => `re:c${100 + c}-${s}`)).flat();
    await waitFor(() => expected.every((k) => replies().has(k)), 60_000, 'every update to be answered', 100);
    const some = alive()[0] as ServeProcess;
    await waitFor(async () => ((await (await fetch(`${some.url}/delivery`)).json()) as { queues: Array<{ depth: number }> }).queues.every((q) => q.depth === 0), 20_000, 'the queue to empty', 100);

    const counts = replies();
    const answered = expected.filter((k) => counts.has(k)).length;
    const duplicates = [...counts.values()].reduce((n, v) => n + v - 1, 0);
    const webhookCalls = [...seen.values()].reduce((n, l) => n + l.length, 0);
    console.log(`crash test (seed ${seed}): accepted ${expected.length}, answered ${answered}, duplicate replies ${duplicates}, webhook calls ${webhookCalls}, kills ${kills}`);

    expect(answered).toBe(expected.length);
    expect(overlaps).toBe(0);
    for (const [conv, list] of seen) {
      // A job re-run after a crash repeats its number; a later job never runs before an earlier one.
      for (let i = 1; i < list.length; i++) expect(list[i] as number, `conversation ${conv}: ${list.join(',')}`).toBeGreaterThanOrEqual(list[i - 1] as number);
      expect(new Set(list).size).toBe(PER_CONVERSATION);
    }
    // Each kill can repeat at most the reply being delivered in each conversation it held.
    expect(duplicates).toBeLessThanOrEqual(kills * CONVERSATIONS);
    await Promise.all(alive().map((p) => p.kill('SIGKILL')));
  }, 150_000);
});
