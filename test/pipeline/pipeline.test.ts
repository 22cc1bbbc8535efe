/**
 * The pipeline on its own: a scripted store, router and webhook call stand in for Redis,
 * the A/B router and undici, so each rule of one message's path is checked directly.
 */
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ResolvedBot, ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { InboundMessage, StoredMessage, WebhookRequest } from '../../runtime/core/message.js';
import { createMetrics } from '../../runtime/metrics/metrics.js';
import { createPipeline, type CallIntegration, type StreamIntegration } from '../../runtime/pipeline/pipeline.js';
import type { AttemptEvent, RouteDecision, Router } from '../../runtime/routing/router.js';
import type { BeginTurnQuery, CounterIncrement, EndTurnWrite, Store } from '../../runtime/store/store.js';
import type { AttemptResult } from '../../runtime/webhook/attempt.js';
import { bot as makeBot, integration, snapshot } from '../helpers/snapshot.js';

const silent = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

interface FakeStore extends Store {
  begun: BeginTurnQuery[];
  ended: EndTurnWrite[];
  assignments: Array<[string, string, number]>;
  history: StoredMessage[];
  failBegin: boolean;
  failEnd: boolean;
}

function fakeStore(history: StoredMessage[] = []): FakeStore {
  const s: FakeStore = {
    kind: 'memory',
    begun: [],
    ended: [],
    assignments: [],
    history,
    failBegin: false,
    failEnd: false,
    async beginTurn(q) {
      s.begun.push(q);
      if (s.failBegin) throw new Error('store down');
      return { history: s.history, assignment: q.assignment?.candidate ?? null, assigned: q.assignment !== undefined };
    },
    async setAssignment(key, value, ttl) {
      s.assignments.push([key, value, ttl]);
    },
    async endTurn(w) {
      s.ended.push(w);
      if (s.failEnd) throw new Error('store down');
    },
    claimOnce: async () => true,
    releaseClaim: async () => undefined,
    incrementCounters: async () => undefined,
    readCounters: async () => ({}),
    readUserIndex: async () => [],
    removeFromUserIndex: async () => undefined,
    readHistory: async () => [],
    deleteKey: async () => false,
    health: () => ({ kind: 'memory', state: 'up' }),
    close: async () => undefined,
  };
  return s;
}

/** A router that plans `candidate` and decides `decision`; it records every attempt event. */
function fakeRouter(decision: RouteDecision, candidate = decision.primary): Router & { events: AttemptEvent[] } {
  const events: AttemptEvent[] = [];
  return {
    events,
    plan: () => (candidate ? { assignment: { key: 'a:user', candidate, ttlSeconds: 60 }, candidate } : { candidate }),
    decide: () => decision,
    record: (_bot, e) => events.push(e),
  };
}

/** A webhook call answering from a table by integration name; it keeps every payload. */
function fakeCall(results: Record<string, AttemptResult>): CallIntegration & { calls: Array<{ name: string; payload: WebhookRequest }> } {
  const calls: Array<{ name: string; payload: WebhookRequest }> = [];
  const call: CallIntegration = async (i: ResolvedIntegration, payload: WebhookRequest) => {
    calls.push({ name: i.name, payload });
    const r = results[i.name];
    if (!r) throw new Error(`no scripted result for ${i.name}`);
    return r;
  };
  return Object.assign(call, { calls });
}

const ok = (content: string, extra: Partial<Extract<AttemptResult, { ok: true }>['reply']> = {}): AttemptResult => ({ ok: true, reply: { content, ...extra }, status: 200, latencyMs: 3, retried: false });
const down = (message: string): AttemptResult => ({ ok: false, failure: 'unreachable', message, latencyMs: 2, retried: false });

const message = (text: string): InboundMessage => ({ bot: 'support', channel: 'http', conversationId: 'c1', chatId: 'c1', user: { id: 'u1' }, text, attachments: [], requestId: 'req_1' });

function world(opts: { bot?: Partial<ResolvedBot>; decision: RouteDecision; results: Record<string, AttemptResult>; history?: StoredMessage[]; counters?: CounterIncrement[] }) {
  const b = makeBot('support', { contextWindow: 2, fallbackMessage: 'Sorry.', historyTtlMs: 99_000, ...opts.bot });
  const snap = snapshot([b], [integration('primary'), integration('backup')]);
  const store = fakeStore(opts.history);
  const router = fakeRouter(opts.decision);
  const call = fakeCall(opts.results);
  let pending = [...(opts.counters ?? [])];
  const restored: CounterIncrement[] = [];
  const counters = { drain: () => pending.splice(0), restore: (c: CounterIncrement[]) => restored.push(...c) };
  const metrics = createMetrics();
  const pipeline = createPipeline({ store, router, call, metrics, log: silent, counters });
  return { snap, store, router, call, restored, metrics, pipeline, pendingCount: () => pending.length, setPending: (c: CounterIncrement[]) => (pending = c) };
}

describe('pipeline', () => {
  it('answers with the reply, sends the history window, and records the turn with the pending counters', async () => {
    const counters = [{ key: 'stats:support', field: 'primary:requests', by: 1 }];
    const w = world({ decision: { order: ['primary'], primary: 'primary' }, results: { primary: ok('hello', { attachments: [{ type: 'image', url: 'https://x/y.png', mime_type: 'image/png' }] }) }, history: [{ role: 'user', content: 'old 1' }, { role: 'assistant', content: 'old 2' }, { role: 'user', content: 'old 3' }], counters });
    const reply = await w.pipeline.process(w.snap, message('hi')).reply;
    expect(reply).toEqual({ content: 'hello', attachments: [{ type: 'image', url: 'https://x/y.png', mimeType: 'image/png' }], integration: 'primary' });
    expect(w.store.begun).toEqual([{ historyKey: 'h:support:http:c1', limit: 2, assignment: { key: 'a:user', candidate: 'primary', ttlSeconds: 60 }, json: true }]);
    expect(w.call.calls[0]?.payload.messages.map((m) => m.content)).toEqual(['old 2', 'old 3', 'hi']);
    expect(w.store.ended).toEqual([{ historyKey: 'h:support:http:c1', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }], maxLength: 4, ttlSeconds: 99, counters, userIndex: { key: '{u:http:u1}:keys', members: ['["h","support","h:support:http:c1","c1"]', '["a","support","a:user"]'], ttlSeconds: 99 } }]);
    expect(w.router.events).toEqual([{ integration: 'primary', outcome: 'ok', latencyMs: 3, primary: true, assigned: true }]);
  });

  it('tries the fallback after a failed primary and counts the fallback', async () => {
    const w = world({ decision: { order: ['primary', 'backup'], primary: 'primary' }, results: { primary: down('connect ECONNREFUSED'), backup: ok('from backup') } });
    const reply = await w.pipeline.process(w.snap, message('hi')).reply;
    expect(reply).toMatchObject({ content: 'from backup', integration: 'backup' });
    expect(w.call.calls.map((c) => c.name)).toEqual(['primary', 'backup']);
    expect(w.router.events.map((e) => [e.integration, e.outcome, e.primary])).toEqual([
      ['primary', 'unreachable', true],
      ['backup', 'ok', false],
    ]);
    expect(await w.metrics.registry.getSingleMetricAsString('switchboard_fallbacks_total')).toContain('integration="backup"');
  });

  it('answers the fallback message with the failure code of a single failed attempt', async () => {
    const w = world({ decision: { order: ['primary'], primary: 'primary' }, results: { primary: down('connect ECONNREFUSED') } });
    const reply = await w.pipeline.process(w.snap, message('hi')).reply;
    expect(reply).toEqual({ content: 'Sorry.', attachments: [], error: { code: 'SWB_ERR_WEBHOOK_UNREACHABLE', message: 'connect ECONNREFUSED' } });
    // The user's message is still recorded, without a reply.
    expect(w.store.ended[0]?.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('answers SWB_ERR_ALL_ATTEMPTS_FAILED when several attempts failed, or none could run', async () => {
    const several = world({ decision: { order: ['primary', 'backup'], primary: 'primary' }, results: { primary: down('a'), backup: down('b') } });
    expect((await several.pipeline.process(several.snap, message('hi')).reply).error).toEqual({ code: 'SWB_ERR_ALL_ATTEMPTS_FAILED', message: 'every attempt failed; last: b' });
    const none = world({ decision: { order: [], primary: undefined }, results: {} });
    expect((await none.pipeline.process(none.snap, message('hi')).reply).error).toEqual({ code: 'SWB_ERR_ALL_ATTEMPTS_FAILED', message: 'no integration with weight > 0 is available' });
  });

  it('answers without history when the store is down, keeps the hash candidate, and leaves counters pending', async () => {
    const w = world({ decision: { order: ['primary'], primary: 'primary' }, results: { primary: ok('still here') }, counters: [{ key: 'stats:support', field: 'f', by: 1 }] });
    w.store.failBegin = true;
    const reply = await w.pipeline.process(w.snap, message('hi')).reply;
    expect(reply.content).toBe('still here');
    expect(w.call.calls[0]?.payload.messages.map((m) => m.content)).toEqual(['hi']);
    expect(w.store.ended).toEqual([]);
    expect(w.pendingCount()).toBe(1);
  });

  it('gives the counters back when endTurn fails, and still answers', async () => {
    const counters = [{ key: 'stats:support', field: 'f', by: 2 }];
    const w = world({ decision: { order: ['primary'], primary: 'primary' }, results: { primary: ok('answer') }, counters });
    w.store.failEnd = true;
    expect((await w.pipeline.process(w.snap, message('hi')).reply).content).toBe('answer');
    expect(w.restored).toEqual(counters);
  });

  it('records a re-pick when the recorded arm lost its weight', async () => {
    const w = world({ decision: { order: ['backup'], primary: 'backup', reassign: 'backup' }, results: { backup: ok('re-picked') } });
    await w.pipeline.process(w.snap, message('hi')).reply;
    expect(w.store.assignments).toEqual([['a:user', 'backup', 60]]);
  });

  describe('streamed attempts (live consumer)', () => {
    /** A scripted streamed attempt: these deltas, then this result. */
    function streamed(deltas: string[], result: AttemptResult): StreamIntegration & { started: string[] } {
      const started: string[] = [];
      const fn: StreamIntegration = (i, _payload, opts) => {
        started.push(i.name);
        const text = deltas.join('');
        const info = { streamed: true, deltas: deltas.length, textProduced: deltas.length > 0, text };
        // Like the webhook client: deltas go to onDelta when it is given, else to the iteration.
        const onDelta = opts.onDelta;
        return {
          result: Promise.resolve().then(() => {
            for (const d of deltas) onDelta?.(d);
            return { ...result, stream: info };
          }),
          cancel: () => undefined,
          async *[Symbol.asyncIterator]() {
            if (!onDelta) for (const delta of deltas) yield { delta };
          },
        };
      };
      return Object.assign(fn, { started });
    }
    const cut = (message: string): AttemptResult => ({ ok: false, failure: 'interrupted', message, latencyMs: 5, retried: false });

    function live(results: Record<string, AttemptResult>, stream: StreamIntegration) {
      const w = world({ decision: { order: ['primary', 'backup'], primary: 'primary' }, results });
      const snap = snapshot([w.snap.bots.get('support') as ResolvedBot], [integration('primary', { stream: true }), integration('backup')]);
      const pipeline = createPipeline({ store: w.store, router: w.router, call: w.call, stream, metrics: w.metrics, log: silent });
      return { ...w, snap, pipeline };
    }
    async function collect(s: ReturnType<ReturnType<typeof createPipeline>['process']>) {
      const deltas: string[] = [];
      for await (const d of s) deltas.push(d.delta);
      return { deltas, reply: await s.reply };
    }

    it('hands the deltas over and ends with the reply', async () => {
      const w = live({ backup: ok('unused') }, streamed(['Hel', 'lo'], ok('Hello')));
      expect(await collect(w.pipeline.process(w.snap, message('hi'), { live: true }))).toEqual({ deltas: ['Hel', 'lo'], reply: { content: 'Hello', attachments: [], integration: 'primary' } });
      expect(w.call.calls).toEqual([]);
    });

    it('after a shown delta: no fallback, the text shown marked interrupted, stored and counted', async () => {
      const w = live({ backup: ok('from backup') }, streamed(['partial'], cut('the stream ended early')));
      const got = await collect(w.pipeline.process(w.snap, message('hi'), { live: true }));
      expect(got).toEqual({ deltas: ['partial'], reply: { content: 'partial', attachments: [], integration: 'primary', error: { code: 'SWB_ERR_STREAM_INTERRUPTED', message: 'the stream ended early' } } });
      expect(w.call.calls).toEqual([]);
      expect(w.store.ended[0]?.messages).toEqual([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'partial' }]);
      expect(await w.metrics.registry.getSingleMetricAsString('switchboard_messages_total')).toMatch(/outcome="interrupted"\} 1/);
    });

    it('before any delta: the failure goes to the fallback', async () => {
      const w = live({ backup: ok('from backup') }, streamed([], { ok: false, failure: 'first_token_timeout', message: 'no text within firstTokenTimeout', latencyMs: 5, retried: false }));
      expect(await collect(w.pipeline.process(w.snap, message('hi'), { live: true }))).toEqual({ deltas: [], reply: { content: 'from backup', attachments: [], integration: 'backup' } });
      expect(w.call.calls.map((c) => c.name)).toEqual(['backup']);
    });

    it('a cancelled attempt tries no fallback', async () => {
      const w = live({ backup: ok('from backup') }, streamed([], { ok: false, failure: 'cancelled', message: 'cancelled', latencyMs: 5, retried: false }));
      const got = await collect(w.pipeline.process(w.snap, message('hi'), { live: true }));
      expect(got.reply.error?.code).toBe('SWB_ERR_STREAM_CANCELLED');
      expect(w.call.calls).toEqual([]);
      expect(await w.metrics.registry.getSingleMetricAsString('switchboard_messages_total')).toMatch(/outcome="cancelled"\} 1/);
    });

    it('without live, a streaming integration is assembled by the call (nothing is shown, so fallbacks stay open)', async () => {
      const stream = streamed(['never'], ok('never'));
      const w = live({ primary: cut('cut'), backup: ok('from backup') }, stream);
      expect(await collect(w.pipeline.process(w.snap, message('hi')))).toEqual({ deltas: [], reply: { content: 'from backup', attachments: [], integration: 'backup' } });
      expect(stream.started).toEqual([]);
    });
  });
});

describe('pipeline store-error logging', () => {
  it('logs a repeated store error once per 10 s with a count (injected clock)', async () => {
    const warned: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const log = { ...silent, warn: (obj: Record<string, unknown>, msg: string) => void warned.push({ obj, msg }) } as unknown as FastifyBaseLogger;
    const b = makeBot('support', { contextWindow: 2 });
    const snap = snapshot([b], [integration('primary')]);
    const store = fakeStore();
    store.failEnd = true;
    let clock = 0;
    const pipeline = createPipeline({ store, router: fakeRouter({ order: ['primary'], primary: 'primary' }), call: fakeCall({ primary: ok('hi') }), metrics: createMetrics(), log, now: () => clock });
    for (let i = 0; i < 50; i++) await pipeline.process(snap, message(`m${i}`)).reply;
    expect(warned.map((w) => w.msg)).toEqual(['history store unavailable: this turn was not recorded']);
    clock += 10_000;
    await pipeline.process(snap, message('later')).reply;
    expect(warned).toHaveLength(2);
    expect(warned[1]?.obj).toMatchObject({ err: 'store down', repeated: 49 });
  });
});
