/**
 * The server's JSON body parser and request ids, as the hot path has them: `__proto__` and
 * `constructor` keys are dropped however they are spelled (the reviver runs only when the
 * text could hold one), and generated request ids stay unique across refills of their pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import type { Router } from '../../runtime/routing/router.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { bot, integration, snapshot } from '../helpers/snapshot.js';

const first: Router = {
  plan: (b: ResolvedBot) => ({ candidate: b.integrations[0]?.name }),
  decide: (_b, plan) => ({ primary: plan.candidate, order: plan.candidate ? [plan.candidate] : [] }),
  record: () => undefined,
};

let app: SwitchboardApp;
beforeAll(async () => {
  const snap = snapshot([bot('support', { integrations: [{ name: 'echo', weight: 1, fallback: false }] })], [integration('echo', { type: 'echo', url: undefined })]);
  app = await buildServer({ config: { current: () => snap }, store: createMemoryStore(), router: first, call: callIntegration });
});
afterAll(async () => {
  await app.close();
});

const post = (payload: string) => app.inject({ method: 'POST', url: '/channels/http/support', headers: { 'content-type': 'application/json' }, payload });

describe('JSON body parsing', () => {
  it('parses a plain body without the reviver and answers', async () => {
    const res = await post('{"user":{"id":"u1"},"text":"plain"}');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ content: 'plain', integration: 'echo' });
  });

  it.each([
    ['__proto__', '{"user":{"id":"u1","__proto__":{"admin":true}},"text":"hi"}'],
    ['__proto__ as a \\u escape', '{"user":{"id":"u1","\\u005f_proto__":{"admin":true}},"text":"hi"}'],
    ['constructor', '{"user":{"id":"u1"},"constructor":{"x":1},"text":"hi"}'],
    ['constructor as a \\u escape', '{"user":{"id":"u1"},"constr\\u0075ctor":{"x":1},"text":"hi"}'],
  ])('drops a %s key instead of rejecting it as unknown', async (_name, payload) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ content: 'hi', integration: 'echo' });
  });

  it('still rejects other unknown keys (the strict schema sees what JSON.parse returned)', async () => {
    const res = await post('{"user":{"id":"u1"},"text":"hi","extra":1}');
    expect(res.statusCode).toBe(400);
  });
});

describe('generated request ids', () => {
  it('are req_ + 12 base64url characters and unique across pool refills', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const res = await app.inject({ method: 'GET', url: '/healthz' });
      const id = res.headers['x-request-id'] as string;
      expect(id).toMatch(/^req_[A-Za-z0-9_-]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(600);
  });
});
