/**
 * Requests whose client gave up before their turn: one user sends N requests at once (they
 * run one at a time), every client aborts while the first is at the webhook; only that one
 * reaches the webhook, and its reply is still kept in the history.
 */
import { request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import type { Router } from '../../runtime/routing/router.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { waitFor } from '../helpers/config-tree.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { bot, integration, snapshot } from '../helpers/snapshot.js';

const first: Router = {
  plan: (b: ResolvedBot) => ({ candidate: b.integrations[0]?.name }),
  decide: (_b, plan) => ({ primary: plan.candidate, order: plan.candidate ? [plan.candidate] : [] }),
  record: () => undefined,
};
const N = 10;

let webhook: FakeServer;
let openGate: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
let app: SwitchboardApp;
let url: string;
beforeAll(async () => {
  webhook = await startFakeServer(async (_req, res, index) => {
    await gate;
    sendJson(res, 200, { content: `reply-${index}` });
  });
  const snap = snapshot([bot('support', { integrations: [{ name: 'hook', weight: 1, fallback: false }] })], [integration('hook', { url: `${webhook.origin}/hook`, timeoutMs: 60_000 })]);
  app = await buildServer({ config: { current: () => snap }, store: createMemoryStore(), router: first, call: callIntegration });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/channels/http/support`;
});
afterAll(async () => {
  openGate();
  await app.close();
  await webhook.close();
});

const send = (text: string, signal?: AbortSignal, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ user: { id: 'one-user' }, text }), ...(signal ? { signal } : {}) });

describe('abandoned HTTP-channel requests', () => {
  it(`of ${N} queued requests whose clients left, only the one in flight reaches the webhook`, async () => {
    gate = new Promise<void>((r) => (openGate = r));
    const aborts = Array.from({ length: N }, () => new AbortController());
    const pending = aborts.map((a, i) => send(`m${i}`, a.signal).catch((e: Error) => e));
    await waitFor(() => webhook.requests.length === 1 && app.queue.size === N, 20_000, 'one request at the webhook and the rest queued');
    for (const a of aborts) a.abort();
    const results = await Promise.all(pending);
    expect(results.every((r) => r instanceof Error)).toBe(true);
    // Let the server notice every disconnect before the turn passes on.
    await waitFor(() => new Promise<boolean>((r) => app.server.getConnections((_e, n) => r(n === 0))), 20_000, 'the server to see every client leave');
    openGate();
    await waitFor(() => app.queue.size === 0, 20_000, 'the queue to empty');
    expect(webhook.requests.length).toBe(1);

    // The one that was in flight finished: its reply is in the history of the next turn.
    const next = await send('after');
    expect(next.status).toBe(200);
    expect(await next.json()).toEqual({ content: 'reply-1', integration: 'hook' });
    expect(webhook.requests.length).toBe(2);
    expect(webhook.requests[1]?.body).toContain('reply-0');
  }, 60_000);

  it('a dropped request keeps no answer for its Idempotency-Key: the retry is answered by the webhook', async () => {
    gate = new Promise<void>((r) => (openGate = r));
    const before = webhook.requests.length;
    const first = send('occupies the turn');
    await waitFor(() => webhook.requests.length === before + 1, 20_000, 'the first request at the webhook');
    // Its own connection (no keep-alive reuse), so the test can watch the server see it close.
    const opened = new Promise<Socket>((r) => app.server.once('connection', r));
    const keyed = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'idempotency-key': 'retry-me' } });
    keyed.on('error', () => undefined);
    keyed.end(JSON.stringify({ user: { id: 'one-user' }, text: 'keyed' }));
    const serverSide = await opened;
    await waitFor(() => app.queue.size === 2, 20_000, 'the keyed request queued');
    keyed.destroy();
    await waitFor(() => serverSide.destroyed, 20_000, 'the server to see the keyed client leave');
    openGate();
    expect((await first).status).toBe(200);
    await waitFor(() => app.queue.size === 0, 20_000, 'the queue to empty');
    expect(webhook.requests.length).toBe(before + 1);
    const retry = await send('keyed', undefined, { 'idempotency-key': 'retry-me' });
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { content: string }).content).toBe(`reply-${before + 1}`);
    expect(webhook.requests.length).toBe(before + 2);
  }, 60_000);
});
