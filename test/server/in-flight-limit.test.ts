/**
 * The per-replica in-flight limit: over `maxInFlight` the gate answers 503 with Retry-After
 * (HTTP through the whole server with a webhook that holds its replies; an `ack` channel at
 * the gate, where the refusal must come before the delivery claim so the re-send is served).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import type { ChannelAdapter } from '../../runtime/channels/channel.js';
import type { Router } from '../../runtime/routing/router.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { acceptChannelRequest } from '../../runtime/server/channel-gate.js';
import { createRefusalLog, DEFAULT_MAX_IN_FLIGHT, maxInFlightFromEnv } from '../../runtime/server/in-flight-limit.js';
import type { JobQueue } from '../../runtime/queue/job-queue.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { bot, integration, snapshot } from '../helpers/snapshot.js';
import { captureLogger, createTestStore } from '../channels/channel-test-context.js';

const firstEntry: Router = {
  plan: (b) => ({ candidate: b.integrations[0]?.name }),
  decide: (_b, plan) => ({ primary: plan.candidate, order: plan.candidate ? [plan.candidate] : [] }),
  record: () => undefined,
};

let app: SwitchboardApp | undefined;
let hook: FakeServer | undefined;
afterEach(async () => {
  await app?.close();
  await hook?.close();
  app = undefined;
  hook = undefined;
});

/** Resolves once `check` is true (polled; generous deadline for a loaded machine). */
async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('SWITCHBOARD_MAX_IN_FLIGHT', () => {
  it('defaults when unset or empty, accepts a whole number, names the variable otherwise', () => {
    expect(maxInFlightFromEnv({})).toBe(DEFAULT_MAX_IN_FLIGHT);
    expect(maxInFlightFromEnv({ SWITCHBOARD_MAX_IN_FLIGHT: ' ' })).toBe(DEFAULT_MAX_IN_FLIGHT);
    expect(maxInFlightFromEnv({ SWITCHBOARD_MAX_IN_FLIGHT: '250' })).toBe(250);
    for (const bad of ['0', '-3', '1.5', 'lots', '1e4', '99999999999999999999']) {
      expect(() => maxInFlightFromEnv({ SWITCHBOARD_MAX_IN_FLIGHT: bad })).toThrow(`SWITCHBOARD_MAX_IN_FLIGHT must be a whole number of messages (at least 1), got "${bad}"`);
    }
  });

  it('logs refusals at most once per interval, with the count since the last line', () => {
    let t = 1_000_000;
    const log = createRefusalLog(10_000, () => t);
    expect(log()).toBe(1);
    expect(log()).toBeUndefined();
    t += 9_999;
    expect(log()).toBeUndefined();
    t += 1;
    expect(log()).toBe(3);
    expect(log()).toBeUndefined();
  });

  it('HTTP: answers 503 SWB_ERR_HTTP_UNAVAILABLE with Retry-After over the limit, and serves again once a slot is free', async () => {
    const held: ServerResponse[] = [];
    hook = await startFakeServer((_req, res) => void held.push(res));
    const snap = snapshot([bot('support')], [integration('primary', { url: `${hook.origin}/hook` })]);
    app = await buildServer({ config: { current: () => snap }, store: createMemoryStore(), router: firstEntry, call: callIntegration, maxInFlight: 2 });
    const send = (user: string) => app!.inject({ method: 'POST', url: '/channels/http/support', headers: { 'content-type': 'application/json' }, payload: { user: { id: user }, text: 'hi' } });

    const first = [send('u1'), send('u2')];
    await until(() => held.length === 2);
    const refused = await send('u3');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toEqual({ error: { code: 'SWB_ERR_HTTP_UNAVAILABLE', message: 'this replica already holds 2 messages in flight; retry later' } });
    expect(hook.requests).toHaveLength(2);

    sendJson(held[0]!, 200, { content: 'one' });
    expect((await first[0]!).statusCode).toBe(200);
    const again = send('u3');
    await until(() => held.length === 3);
    for (const res of held.slice(1)) sendJson(res, 200, { content: 'later' });
    expect((await again).json()).toMatchObject({ content: 'later' });
    expect((await first[1]!).statusCode).toBe(200);
  });

  it('ack channels: 503 with Retry-After before the delivery claim, so the re-sent update is processed', async () => {
    const store = createTestStore();
    const { log } = captureLogger();
    let size = 3;
    const pushed: string[] = [];
    const queue: JobQueue = {
      push: async (job) => {
        pushed.push(job.conversationKey);
        return undefined;
      },
      get size() {
        return size;
      },
      drain: async () => undefined,
    };
    const adapter: ChannelAdapter = {
      name: 'telegram',
      mode: 'ack',
      platform: 'Telegram',
      noun: 'update',
      triage: (request) => ({ kind: 'job', job: { channel: 'telegram', bot: 'support', requestId: request.requestId, conversationKey: 'telegram:support:c1', claim: { key: 'tg:support:7', ttlSeconds: 60, logFields: {} }, payload: {} } }),
      run: async () => undefined,
    };
    const b = bot('support');
    const request = { headers: {}, body: {}, rawBody: Buffer.alloc(0), requestId: 'r1', log };
    const deps = { snapshot: snapshot([b], []), store, queue, maxInFlight: 3 };

    const refused = await acceptChannelRequest(adapter, request, b, deps);
    expect(refused.status).toBe(503);
    expect(refused.headers).toEqual({ 'retry-after': '1' });
    expect(store.claims.size).toBe(0);
    expect(pushed).toEqual([]);

    size = 2;
    expect(await acceptChannelRequest(adapter, request, b, deps)).toEqual({ status: 200 });
    expect(pushed).toEqual(['telegram:support:c1']);

    // A durable queue persists the update instead of holding it: never refused here.
    const accepted: string[] = [];
    const durable: JobQueue = {
      ...queue,
      size: 50,
      accept: async (job) => {
        accepted.push(job.conversationKey);
        return true;
      },
    };
    expect(await acceptChannelRequest(adapter, request, b, { ...deps, queue: durable })).toEqual({ status: 200 });
    expect(accepted).toEqual(['telegram:support:c1']);
  });
});
