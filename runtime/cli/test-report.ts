/**
 * `switchboard test INTEGRATION`: send one real request as the synthetic bot
 * `switchboard-test` (with `metadata.test: true`) and render what was sent (secrets
 * redacted), the status, latency, for a streamed reply the time to first token, the
 * number of deltas and the total time, the reply and a diagnosis. `runtime/cli/test.ts` loads
 * the config and prints `report`; the exit code follows `ok`.
 */
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { ResolvedIntegration } from '../config/snapshot.js';
import type { FailureClass, WebhookReply, WebhookRequest } from '../core/message.js';
import type { AttemptResult, SentRequest } from '../webhook/attempt.js';
import type { StreamInfo } from '../webhook/attempt-stream.js';
import { callIntegration, streamIntegration } from '../webhook/client.js';
import { derive, scrub } from '../webhook/derived.js';
import { diagnose, type Diagnosis } from '../webhook/diagnosis.js';

export const TEST_BOT_ID = 'switchboard-test';
export const DEFAULT_TEST_MESSAGE = 'Hello from switchboard test';
const MAX_BODY_CHARS = 4000;

export interface IntegrationTestOptions {
  message: string;
  allowPrivateNetwork: boolean;
  /** Every env-resolved value of the snapshot (ConfigSnapshot.secrets): redacted from the report. */
  secrets: readonly string[];
  /** Clock (ms) for the webhook timestamp. */
  now?: () => number;
  /** Dispatcher override (tests inject a resolver). */
  dispatcher?: Dispatcher;
}

/** The payload `switchboard test` sends: one user message from the synthetic bot and user. */
export function testPayload(message: string): WebhookRequest {
  return {
    messages: [{ role: 'user', content: message }],
    conversation_id: TEST_BOT_ID,
    user: { id: TEST_BOT_ID, platform: 'cli', name: 'switchboard test' },
    bot: { id: TEST_BOT_ID, name: 'Switchboard Test' },
    metadata: { channel: 'cli', chat_id: TEST_BOT_ID, test: true },
  };
}

function redactHeaders(headers: Readonly<Record<string, string>>, configured: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!configured.has(name.toLowerCase())) out[name] = value;
    else {
      const scheme = /^\s*(bearer|basic|token)\s+\S/i.exec(value)?.[1];
      out[name] = `${scheme ? `${scheme} ` : ''}[redacted]`;
    }
  }
  return out;
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function renderBody(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}\n… (${text.length - MAX_BODY_CHARS} more characters)` : text;
}

const indent = (text: string, by = '    '): string => text.split('\n').map((l) => `${by}${l}`).join('\n');

/** What one test request did, secrets redacted: the shape `POST /integrations/:name/test` answers with. */
export interface IntegrationTestResult {
  ok: boolean;
  integration: { name: string; type: string; source: string };
  /** The last request sent (null for `echo`, which answers locally, or when nothing was sent). */
  request: { method: 'POST'; url: string; headers: Record<string, string>; body: unknown } | null;
  /** The webhook's HTTP status; null when it could not be reached. */
  status: number | null;
  latencyMs: number;
  /** True when a 429/503 Retry-After was honoured once. */
  retried: boolean;
  reply: WebhookReply | null;
  /** The failure class, or null on a good reply. */
  failure: FailureClass | null;
  error: string | null;
  /** What to check when it failed; null on a good reply. */
  diagnosis: Diagnosis | null;
  /** For a `stream: true` integration: time to first token, deltas, and the text before a failure. */
  stream: { streamed: boolean; firstTokenMs: number | null; deltas: number; textBeforeFailure: string | null } | null;
}

/**
 * Sends one real test request to `integration` and reports it with every configured
 * header value, every signing secret and every string in `secrets` redacted. Never throws
 * for upstream problems: `ok` is false and `diagnosis` says what to check.
 */
export async function testIntegration(integration: ResolvedIntegration, opts: IntegrationTestOptions): Promise<IntegrationTestResult> {
  const sent: SentRequest[] = [];
  const requestId = `swb-test-${randomBytes(6).toString('hex')}`;
  const attemptOptions = {
    requestId,
    allowPrivateNetwork: opts.allowPrivateNetwork,
    onRequest: (r: SentRequest) => sent.push(r),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  };
  let result: AttemptResult;
  let info: StreamInfo | undefined;
  if (integration.stream === true) {
    const streamed = await streamIntegration(integration, testPayload(opts.message), attemptOptions).result;
    result = streamed;
    info = streamed.stream;
  } else {
    result = await callIntegration(integration, testPayload(opts.message), attemptOptions);
  }
  const redact = [...new Set([...opts.secrets, ...derive(integration).secretValues])]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length);
  const clean = (text: string): string => scrub(text, redact);
  const configured = new Set(Object.keys(integration.headers).map((h) => h.toLowerCase()));
  const last = integration.type === 'echo' ? undefined : sent[sent.length - 1];
  const request = last
    ? {
        method: last.method,
        url: clean(last.url),
        headers: Object.fromEntries(Object.entries(redactHeaders(last.headers, configured)).map(([k, v]) => [k, clean(v)])),
        body: parseBody(clean(last.body)),
      }
    : null;
  const reply = result.ok ? (parseBody(clean(JSON.stringify(result.reply))) as WebhookReply) : null;
  const diagnosis = result.ok ? null : diagnose(result, integration);
  return {
    ok: result.ok,
    integration: { name: integration.name, type: integration.type, source: `${integration.source.file}:${integration.source.line}` },
    request,
    status: result.status ?? null,
    latencyMs: result.latencyMs,
    retried: result.retried,
    reply,
    failure: result.ok ? null : result.failure,
    error: result.ok ? null : clean(result.message),
    diagnosis: diagnosis ? { title: clean(diagnosis.title), hints: diagnosis.hints.map(clean) } : null,
    stream: info
      ? { streamed: info.streamed, firstTokenMs: info.firstTokenMs ?? null, deltas: info.deltas, textBeforeFailure: !result.ok && info.textProduced ? clean(info.text) : null }
      : null,
  };
}

/** The stream summary: time to first token, number of deltas, total time (and the text so far on a failure). */
function renderStream(result: IntegrationTestResult): string[] {
  const info = result.stream;
  if (!info) return [];
  if (!info.streamed) return ['  Stream:  no (the backend answered plain JSON)'];
  const first = info.firstTokenMs === null ? 'no text' : `first token after ${info.firstTokenMs} ms`;
  const lines = [`  Stream:  ${first}, ${info.deltas} ${info.deltas === 1 ? 'delta' : 'deltas'}, ${result.latencyMs} ms in total`];
  if (info.textBeforeFailure !== null) lines.push('  Text before the failure:', indent(info.textBeforeFailure));
  return lines;
}

function renderResult(result: IntegrationTestResult): string[] {
  const lines = ['Response'];
  const retried = result.retried ? ' (after one Retry-After retry)' : '';
  if (result.ok && result.reply) {
    lines.push(`  Status:  ${result.status}${retried}`);
    lines.push(`  Latency: ${result.latencyMs} ms`);
    lines.push(...renderStream(result));
    lines.push('  Reply:', indent(result.reply.content === '' ? '(empty content)' : result.reply.content));
    for (const a of result.reply.attachments ?? []) lines.push(`  Attachment: ${a.type} ${a.url}${a.name ? ` (${a.name})` : ''}`);
    if (result.reply.metadata && Object.keys(result.reply.metadata).length > 0) lines.push(`  Metadata: ${JSON.stringify(result.reply.metadata)}`);
    return lines;
  }
  lines.push(`  Status:  ${result.status ?? 'no response'}${retried}`);
  lines.push(`  Latency: ${result.latencyMs} ms`);
  lines.push(`  Error:   ${result.error ?? ''}`);
  lines.push(...renderStream(result));
  return lines;
}

/** The text report `switchboard test` prints for a result. */
export function renderTestReport(integration: ResolvedIntegration, result: IntegrationTestResult): string {
  const lines: string[] = [`Integration "${integration.name}" (type ${integration.type}) from ${result.integration.source}`, ''];
  const req = result.request;
  if (integration.type === 'echo') {
    lines.push('Request', '  (none: echo answers locally, without any HTTP request)');
  } else if (req) {
    lines.push('Request', `  ${req.method} ${req.url}`, ...Object.entries(req.headers).map(([k, v]) => `  ${k}: ${v}`), '', indent(renderBody(req.body), '  '));
  } else {
    lines.push('Request', `  (not sent) POST ${integration.url ?? '(no url)'}`);
  }
  lines.push('', ...renderResult(result), '');
  if (result.ok) {
    lines.push('Result: OK, the integration answered with a valid reply.');
  } else {
    lines.push(`Result: FAILED (${result.failure})`);
    if (result.diagnosis) lines.push(`Diagnosis: ${result.diagnosis.title}`, ...result.diagnosis.hints.map((h) => `  - ${h}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Sends one real test request to `integration` and renders the text report (`switchboard test`). */
export async function runIntegrationTest(integration: ResolvedIntegration, opts: IntegrationTestOptions): Promise<{ ok: boolean; report: string }> {
  const result = await testIntegration(integration, opts);
  // The "(not sent)" line names the configured URL: scrub it like everything else.
  const redact = [...new Set([...opts.secrets, ...derive(integration).secretValues])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return { ok: result.ok, report: scrub(renderTestReport(integration, result), redact) };
}
