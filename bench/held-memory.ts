/**
 * Memory held per in-flight conversation, measured exactly rather than under load: a stub
 * webhook holds every request without answering, N requests (each its own conversation and
 * connection) are sent through the target, and the heap (after full collections) and RSS
 * are compared with before. Client, stub and target share this process, so the `direct`
 * target (client straight to the stub) gives the part that is not the server's: subtract it.
 *
 *   node --expose-gc --import tsx bench/held-memory.ts direct|forwarder|switchboard [N] [--dist DIR]
 *
 * The forwarder here is bench/forwarder.ts's handler; Switchboard is `startRuntime` from
 * dist/ (build first), the HTTP channel, memory store, one integration.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { Agent, Pool, request } from 'undici';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { dist: { type: 'string', default: 'dist' } } });
const target = positionals[0] ?? 'switchboard';
const n = Number(positionals[1] ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const held: ServerResponse[] = [];
const stub = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => held.push(res));
});
await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
const hook = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/hook`;
const answerAll = (): void => {
  for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{"content":"ok"}');
};

let origin: string;
let path: string;
if (target === 'direct') {
  origin = new URL(hook).origin;
  path = '/hook';
} else if (target === 'forwarder') {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const app = Fastify({ logger: false });
  app.post('/forward', async (req) => {
    const res = await request(hook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.body), dispatcher });
    const reply = (await res.body.json()) as { content?: unknown };
    return { content: reply.content };
  });
  origin = await app.listen({ port: 0, host: '127.0.0.1' });
  path = '/forward';
} else {
  const dir = resolve('bench/.tmp/held-memory');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a.yaml'), `apiVersion: switchboard/v1\nkind: Integration\nname: hook-a\ntype: custom\nurl: ${hook}\ntimeout: 60s\n---\napiVersion: switchboard/v1\nkind: Bot\nname: single\nchannels:\n  http: {}\nintegrations:\n  - name: hook-a\n`);
  const { startRuntime } = (await import(resolve(values.dist!, 'runtime/runtime.js'))) as { startRuntime: (o: object) => Promise<{ url?: string }> };
  const rt = await startRuntime({ configDir: dir, port: 0, host: '127.0.0.1', allowPrivateNetwork: true, watch: false, env: { LOG_LEVEL: 'warn', SWITCHBOARD_MAX_IN_FLIGHT: String(n * 2), SWITCHBOARD_MAX_CONNECTIONS: String(n * 2 + 500) } });
  origin = rt.url!;
  path = '/channels/http/single';
}

const pool = new Pool(origin, { connections: null, pipelining: 1 });
const TEXT = 'Hello! Can you summarise the last three messages of this thread for me, please?';
const send = (i: number): Promise<string> =>
  pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: `{"user":{"id":"user-${i}","name":"User"},"text":"${TEXT}"}` }).then((r) => r.body.text());
const until = async (count: number): Promise<void> => {
  while (held.length < count) await sleep(10);
};
const settled = (): NodeJS.MemoryUsage => {
  for (let k = 0; k < 4; k++) gc();
  return process.memoryUsage();
};

// Warm-up: two rounds of 100, so code is compiled and pools exist before measuring.
for (let round = 0; round < 2; round++) {
  const replies = Array.from({ length: 100 }, (_, k) => send(1_000_000 + round * 100 + k));
  await until(100);
  answerAll();
  await Promise.all(replies);
}
const before = settled();
const replies = Array.from({ length: n }, (_, i) => send(i));
await until(n);
const during = settled();
const per = (k: 'heapUsed' | 'rss' | 'external'): number => Math.round((during[k] - before[k]) / n);
process.stdout.write(`${JSON.stringify({ target, inFlight: n, heapBytesPerInFlight: per('heapUsed'), rssBytesPerInFlight: per('rss'), externalBytesPerInFlight: per('external') })}\n`);
answerAll();
await Promise.all(replies);
process.exit(0);
