/**
 * Fuzz: mutated HTTP-channel bodies (wrong types, deleted and unknown keys, truncated or
 * garbled JSON) through the real server route. Every answer is a 2xx with content or a 4xx
 * in the `{error:{code,message}}` envelope — never a 5xx, never a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallIntegration } from '../../runtime/pipeline/pipeline.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { fixedOrderRouter } from '../channels/channel.contract.js';
import { mutate, seededRandom, type Rng } from '../helpers/mutate.js';
import { bot, integration, snapshot } from '../helpers/snapshot.js';

const CASES = 3000;
let app: SwitchboardApp;

beforeAll(async () => {
  const call: CallIntegration = async () => ({ ok: true, reply: { content: 'ok' }, status: 200, latencyMs: 0, retried: false });
  const snap = snapshot([bot('support')], [integration('primary')]);
  app = await buildServer({ config: { current: () => snap }, store: createMemoryStore(), router: fixedOrderRouter, call });
});
afterAll(async () => {
  await app.close();
});

const SEEDS: Record<string, unknown>[] = [
  { user: { id: 'u1', name: 'Ada', username: 'ada' }, text: 'hello', conversation_id: 'c1', metadata: { a: 1 } },
  { user: { id: 'u2' }, attachments: [{ type: 'image', url: 'https://example.com/a.png', name: 'a.png', mime_type: 'image/png' }] },
];

/** Some cases are raw text damage rather than structural changes. */
function garble(json: string, rng: Rng): string {
  const r = rng();
  const at = Math.floor(rng() * json.length);
  if (r < 0.4) return json.slice(0, at);
  if (r < 0.7) return json.slice(0, at) + String.fromCharCode(Math.floor(rng() * 128)) + json.slice(at + 1);
  return json.slice(0, at) + json.slice(at, at + 8).repeat(3) + json.slice(at);
}

describe('HTTP channel body fuzz', () => {
  it(`${CASES} mutated bodies get only 2xx or an enveloped 4xx`, async () => {
    const rng = seededRandom(0x417b0d);
    const statuses = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const body = JSON.stringify(mutate(SEEDS[i % SEEDS.length], rng));
      const payload = rng() < 0.25 ? garble(body, rng) : body;
      const res = await app.inject({ method: 'POST', url: '/channels/http/support', headers: { 'content-type': 'application/json' }, payload });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const fail = (why: string): never => {
        throw new Error(`case ${i}: ${why}: ${res.statusCode} ${res.body} for ${payload}`);
      };
      if (res.statusCode >= 500 || res.statusCode < 200 || (res.statusCode >= 300 && res.statusCode < 400)) fail('status');
      const answer = res.json() as { content?: unknown; error?: { code?: unknown; message?: unknown } };
      if (res.statusCode >= 400 && (typeof answer.error?.code !== 'string' || typeof answer.error.message !== 'string')) fail('no envelope');
      if (res.statusCode === 200 && typeof answer.content !== 'string') fail('no content');
    }
    // Both outcomes occur, so the fuzz exercises the pipeline and the validation.
    expect(statuses.get(200)).toBeGreaterThan(CASES / 50);
    expect(statuses.get(400)).toBeGreaterThan(CASES / 10);
  }, 60_000);
});
