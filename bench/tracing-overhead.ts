/**
 * CPU per message with tracing off (propagation only), against a baseline whose tracing
 * hands out one constant span (no ids, no parsing: what the pipeline costs without
 * tracing), and with recording on (spans built and batched to an exporter that drops
 * them). One process, the three variants interleaved round by round, medians reported.
 * The bot answers through an `echo` integration, so there is no webhook round trip to
 * dilute the difference (a conservative ratio).
 *
 *   node --import tsx bench/tracing-overhead.ts [--messages N] [--rounds N]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { buildServer } from '../runtime/server.js';
import { createConfigLoader } from '../runtime/config/loader.js';
import { createMemoryStore } from '../runtime/store/memory-store.js';
import { createAbRouter } from '../runtime/routing/ab-router.js';
import { createStatsRecorder } from '../runtime/stats/stats-recorder.js';
import { callIntegration } from '../runtime/webhook/client.js';
import { createTracing, type Tracing } from '../runtime/tracing/tracing.js';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '4000' }, rounds: { type: 'string', default: '9' } } });
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);

const CONSTANT = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const baseline: Tracing = {
  recording: false,
  startInboundSpan: () => CONSTANT,
  startStoreSpan: (p) => p,
  startAttemptSpan: () => CONSTANT,
  endAttemptSpan() {},
  startDeliverySpan: (p) => p,
  forceFlush: async () => {},
  shutdown: async () => {},
};
const dropAll: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };

const dir = await mkdtemp(join(tmpdir(), 'swb-bench-trace-'));
await writeFile(join(dir, 'bot.yaml'), 'apiVersion: switchboard/v1\nkind: Integration\nname: e\ntype: echo\n---\napiVersion: switchboard/v1\nkind: Bot\nname: b\nchannels:\n  http: {}\nintegrations:\n  - name: e\n');
const loaded = await createConfigLoader().load(dir, { env: {}, allowPrivateNetwork: true, requireEnv: true });
if (!loaded.ok) throw new Error('bench config invalid');
const snapshot = loaded.snapshot;

async function app(tracing: Tracing) {
  const store = createMemoryStore();
  const stats = createStatsRecorder({ store });
  return buildServer({ config: { current: () => snapshot }, store, router: createAbRouter({ stats }), call: callIntegration, logger: pino({ level: 'silent' }), tracing });
}
const variants = {
  baseline: await app(baseline),
  off: await app(createTracing({ version: 'bench' })),
  recording: await app(createTracing({ version: 'bench', exporter: dropAll })),
};

const body = (i: number) => JSON.stringify({ user: { id: `u${i % 500}` }, text: 'hello' });
const headers = { 'content-type': 'application/json', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
async function round(a: Awaited<ReturnType<typeof app>>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < MESSAGES; i++) {
    const res = await a.inject({ method: 'POST', url: '/channels/http/b', headers, payload: body(i) });
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / MESSAGES;
}

const results: Record<string, number[]> = { baseline: [], off: [], recording: [] };
for (const a of Object.values(variants)) await round(a); // warm up
for (let r = 0; r < ROUNDS; r++) for (const [name, a] of Object.entries(variants)) results[name]?.push(await round(a));
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
const base = median(results.baseline ?? []);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(`${name.padEnd(10)} ${m.toFixed(1)} µs CPU/message  (${(((m - base) / base) * 100).toFixed(1)} % vs baseline; rounds: ${xs.map((x) => x.toFixed(1)).join(' ')})`);
}
// The tracing calls of one message alone (tracing off), in a tight loop.
{
  const { startMessageTrace } = await import('../runtime/tracing/message-trace.js');
  const { formatTraceparent } = await import('../runtime/tracing/trace-ids.js');
  const off = createTracing({ version: 'bench' });
  const N = 200_000;
  const info = { bot: 'b', integration: 'e', type: 'echo' as const, conversationId: 'c', role: 'primary' as const };
  let sink = 0;
  for (let pass = 0; pass < 2; pass++) {
    const start = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const t = startMessageTrace(off, i % 2 ? headers : {}, { channel: 'http', bot: 'b', requestId: 'r' });
      const a = off.startAttemptSpan(t.span, info);
      sink += formatTraceparent(a.spanContext()).length;
      off.endAttemptSpan(a, { ok: true });
      t.finish();
    }
    const used = process.cpuUsage(start);
    if (pass === 1) console.log(`tracing calls alone (off): ${(((used.user + used.system) / N) * 1000).toFixed(0)} ns CPU/message (${sink > 0 ? 'ok' : ''}; half with an inbound traceparent, half without)`);
  }
}
for (const a of Object.values(variants)) await a.close();
await rm(dir, { recursive: true, force: true });
