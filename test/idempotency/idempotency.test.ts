/**
 * `Idempotency-Key` on the HTTP channel: sequential and concurrent repeats get the first
 * reply without a second webhook call, a different body is 409, a bad key is 400; in memory
 * (one runtime) and on Redis (two runtimes sharing it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/runtime.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { startRedis, type RedisHandle } from '../helpers/redis.js';
import { chat, configDir, runtimeFor, waitFor } from '../e2e/helpers.js';

let redis: RedisHandle;
let hook: FakeServer;
let cfg: Awaited<ReturnType<typeof configDir>>;
let memory: Runtime;
let r1: Runtime;
let r2: Runtime;
let gate: Promise<void> = Promise.resolve();

beforeAll(async () => {
  redis = await startRedis();
  hook = await startFakeServer(async (req, res, index) => {
    await gate;
    sendJson(res, 200, { content: `answer ${index + 1} to ${(req.json as { message: { text: string } }).message.text}` });
  });
  cfg = await configDir({
    'b.yaml': `apiVersion: switchboard/v1\nkind: Integration\nname: hook\nurl: ${hook.origin}/hook\n---\napiVersion: switchboard/v1\nkind: Bot\nname: b\nchannels:\n  http: {}\nintegrations:\n  - name: hook\n`,
  });
  memory = await runtimeFor(cfg.dir, {});
  r1 = await runtimeFor(cfg.dir, { REDIS_URL: redis.url });
  r2 = await runtimeFor(cfg.dir, { REDIS_URL: redis.url });
});
afterAll(async () => {
  await Promise.all([memory?.close(), r1?.close(), r2?.close()]);
  await Promise.all([hook?.close(), cfg?.remove()]);
  await redis?.stop();
});

const body = (text: string) => ({ user: { id: 'u1' }, text });

describe.each([
  ['in memory', () => [memory, memory] as const],
  ['on Redis, across replicas', () => [r1, r2] as const],
])('Idempotency-Key %s', (name, replicas) => {
  it('answers a sequential repeat with the first reply, without a second webhook call', async () => {
    const [a, b] = replicas();
    const key = { 'idempotency-key': `seq ${name}` };
    const first = await chat(a, 'b', body('hello'), key);
    const calls = hook.requests.length;
    const again = await chat(b, 'b', body('hello'), key);
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.json()).toEqual(first.json());
    expect(hook.requests.length).toBe(calls);
  });

  it('lets a concurrent repeat wait for the first', async () => {
    const [a, b] = replicas();
    let open: () => void = () => undefined;
    gate = new Promise((r) => (open = r));
    const before = hook.requests.length;
    const key = { 'idempotency-key': `concurrent ${name}` };
    const first = chat(a, 'b', body('slow'), key);
    await waitFor(() => hook.requests.length === before + 1, 10_000, 'the first request to reach the webhook');
    const second = chat(b, 'b', body('slow'), key);
    open();
    const [x, y] = await Promise.all([first, second]);
    expect(y.statusCode).toBe(x.statusCode);
    expect(y.json()).toEqual(x.json());
    expect(hook.requests.length).toBe(before + 1);
  });

  it('answers 409 for the same key with a different body, and 400 for a bad key', async () => {
    const [a, b] = replicas();
    const key = { 'idempotency-key': `conflict ${name}` };
    expect((await chat(a, 'b', body('one'), key)).statusCode).toBe(200);
    const conflict = await chat(b, 'b', body('two'), key);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('SWB_ERR_IDEMPOTENCY_CONFLICT');
    const bad = await chat(a, 'b', body('x'), { 'idempotency-key': 'é'.repeat(3) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('Idempotency-Key');
    const long = await chat(a, 'b', body('x'), { 'idempotency-key': 'k'.repeat(256) });
    expect(long.statusCode).toBe(400);
  });

  it('keeps keys of different values apart', async () => {
    const [a] = replicas();
    const before = hook.requests.length;
    await chat(a, 'b', body('same'), { 'idempotency-key': `k1 ${name}` });
    await chat(a, 'b', body('same'), { 'idempotency-key': `k2 ${name}` });
    expect(hook.requests.length).toBe(before + 2);
  });
});
