/**
 * The Telegram-channel scenario: updates posted to `/channels/telegram/tg` by a closed loop
 * of senders, answered through a fake Bot API in this process (it records when each chat's
 * `sendMessage` arrives). Run twice on the same Redis store, interleaved: the durable queue
 * (the default with Redis) and the in-process queue (`SWITCHBOARD_DELIVERY=in-process`).
 * Reports updates/s accepted and answered, receipt → sendMessage p50/p99, and the Redis
 * commands per update (from INFO commandstats).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Context } from './context.js';
import { startSwitchboard, type Server } from './servers.js';
import { percentile } from './stats.js';

export const TOKEN = '424242:AAbenchmarkTokenNotASecret';
export const SECRET = 'bench-telegram-secret';

export interface TelegramRow {
  mode: 'durable' | 'in-process';
  accepted: number;
  acceptedPerSec: number;
  answeredPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Redis commands per update, by command (top-level and inside scripts alike). */
  commandsPerUpdate: Record<string, number>;
}

export interface FakeApi {
  origin: string;
  answeredAt: Map<number, number>;
  /** sendMessage calls whose text was not the stub's `ok` (the bot's fallback message). */
  notOk: number;
  close(): Promise<void>;
}

/** A fake Bot API: records when each chat's `sendMessage` arrives. */
export async function startFakeBotApi(): Promise<FakeApi> {
  const answeredAt = new Map<number, number>();
  const api = { notOk: 0 };
  const server: HttpServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url?.endsWith('/sendMessage')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { chat_id: number; text?: string };
        answeredAt.set(Number(body.chat_id), performance.now());
        if (body.text !== 'ok') api.notOk++;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(api, { origin: `http://127.0.0.1:${port}`, answeredAt, close: () => new Promise<void>((r) => server.close(() => r())) });
}

/** The bot in its own folder: the scratch folder holds the other sections' trees too. */
export function writeTelegramConfig(dir: string, hook: string, api: string, timeout = '10s'): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'bot.yaml'),
    `apiVersion: switchboard/v1\nkind: Integration\nname: hook\ntype: custom\nurl: ${hook}\nheaders:\n  Authorization: Bearer \${BENCH_WEBHOOK_TOKEN}\ntimeout: ${timeout}\n---\napiVersion: switchboard/v1\nkind: Bot\nname: tg\nchannels:\n  telegram:\n    token: "${TOKEN}"\n    secretToken: ${SECRET}\n    apiUrl: ${api}\nintegrations:\n  - name: hook\n`,
  );
  return dir;
}

async function commandStats(redisUrl: string): Promise<Record<string, number>> {
  const { Redis } = await import('ioredis');
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const text = await client.info('commandstats');
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1] as string] = Number(m[2]);
    return out;
  } finally {
    client.disconnect();
  }
}

/** One measured run against `sb`: closed loop of `connections` senders for `seconds`. */
async function measure(ctx: Context, sb: Server, api: FakeApi, redisUrl: string, mode: TelegramRow['mode'], firstId: number, seconds = ctx.s.seconds): Promise<TelegramRow> {
  const agent = new Agent({ connections: ctx.s.connections, keepAliveTimeout: 10_000 });
  const sentAt = new Map<number, number>();
  let next = firstId;
  let accepted = 0;
  const before = await commandStats(redisUrl);
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: ctx.s.connections }, async () => {
      while (performance.now() < end) {
        const id = next++;
        const body = `{"update_id":${id},"message":{"message_id":1,"date":1700000000,"chat":{"id":${id},"type":"private"},"from":{"id":${id},"is_bot":false,"first_name":"U"},"text":"Hello! Can you tell me the opening hours of the store on Saturday?"}}`;
        sentAt.set(id, performance.now());
        const res = await request(`${sb.origin}/channels/telegram/tg`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body });
        await res.body.dump();
        if (res.statusCode === 200) accepted++;
      }
    }),
  );
  const acceptedFor = (performance.now() - start) / 1000;
  // Answered: every accepted update's sendMessage, waited for (at most 30 s).
  const until = performance.now() + 30_000;
  while ([...sentAt.keys()].some((id) => !api.answeredAt.has(id)) && performance.now() < until) await sleep(20);
  const answeredAll = performance.now();
  const after = await commandStats(redisUrl);
  await agent.close();
  const latencies = [...sentAt].flatMap(([id, t]) => (api.answeredAt.has(id) ? [(api.answeredAt.get(id) as number) - t] : [])).sort((a, b) => a - b);
  const commandsPerUpdate: Record<string, number> = {};
  for (const [cmd, calls] of Object.entries(after)) {
    const delta = calls - (before[cmd] ?? 0) - (cmd === 'info' ? 1 : 0);
    if (delta > 0) commandsPerUpdate[cmd] = delta / Math.max(1, accepted);
  }
  return {
    mode,
    accepted,
    acceptedPerSec: accepted / acceptedFor,
    answeredPerSec: latencies.length / ((answeredAll - start) / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    commandsPerUpdate,
  };
}

/** The scenario: both modes on one Redis, `repetitions` interleaved runs each. */
export async function telegramDelivery(ctx: Context, hook: string, redisUrl: string): Promise<TelegramRow[]> {
  const api = await startFakeBotApi();
  const dir = writeTelegramConfig(join(ctx.tmp, 'telegram'), hook, api.origin);
  const servers: Record<TelegramRow['mode'], Server> = {
    durable: await startSwitchboard({ root: ctx.root, cpu: ctx.serverCpu, configDir: dir, redisUrl, name: 'switchboard (telegram, durable)' }),
    'in-process': await startSwitchboard({ root: ctx.root, cpu: ctx.serverCpu, configDir: dir, redisUrl, name: 'switchboard (telegram, in-process)', env: { SWITCHBOARD_DELIVERY: 'in-process' } }),
  };
  const rows: TelegramRow[] = [];
  let id = 1;
  try {
    // Unmeasured warm-up of each server (JIT, connections), as the other sections do.
    for (const mode of ['in-process', 'durable'] as const) {
      const warm = await measure(ctx, servers[mode], api, redisUrl, mode, id, ctx.s.primeSeconds);
      id += warm.accepted + 100_000;
    }
    for (let rep = 0; rep < ctx.s.repetitions; rep++) {
      for (const mode of ['in-process', 'durable'] as const) {
        const row = await measure(ctx, servers[mode], api, redisUrl, mode, id);
        id += row.accepted + 100_000;
        rows.push(row);
        ctx.log(`  telegram ${mode}: ${row.acceptedPerSec.toFixed(0)} accepted/s, ${row.answeredPerSec.toFixed(0)} answered/s, receipt→sendMessage p50 ${row.p50Ms.toFixed(1)} ms p99 ${row.p99Ms.toFixed(1)} ms`);
      }
    }
  } finally {
    await servers.durable.proc.stop();
    await servers['in-process'].proc.stop();
    await api.close();
  }
  return rows;
}
