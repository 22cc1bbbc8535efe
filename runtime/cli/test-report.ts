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
import type { WebhookRequest } from '../core/message.js';
import type { AttemptResult, SentRequest } from '../webhook/attempt.js';
import type { StreamInfo } from '../webhook/attempt-stream.js';
import { callIntegration, streamIntegration } from '../webhook/client.js';
import { derive, scrub } from '../webhook/derived.js';
import { diagnose } from '../webhook/diagnosis.js';

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

function redactHeaders(headers: Readonly<Record<string, string>>, configured: ReadonlySet<string>): string[] {
  return Object.entries(headers).map(([name, value]) => {
    if (!configured.has(name.toLowerCase())) return `${name}: ${value}`;
    const scheme = /^\s*(bearer|basic|token)\s+\S/i.exec(value)?.[1];
    return `${name}: ${scheme ? `${scheme} ` : ''}[redacted]`;
  });
}

function renderBody(body: string): string {
  let text = body;
  try {
    text = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // not JSON: print as sent
  }
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}\n… (${text.length - MAX_BODY_CHARS} more characters)` : text;
}

const indent = (text: string, by = '    '): string => text.split('\n').map((l) => `${by}${l}`).join('\n');

/** The stream summary: time to first token, number of deltas, total time (and the text so far on a failure). */
function renderStream(result: AttemptResult, info: StreamInfo | undefined): string[] {
  if (!info) return [];
  if (!info.streamed) return ['  Stream:  no (the backend answered plain JSON)'];
  const first = info.firstTokenMs === undefined ? 'no text' : `first token after ${info.firstTokenMs} ms`;
  const lines = [`  Stream:  ${first}, ${info.deltas} ${info.deltas === 1 ? 'delta' : 'deltas'}, ${result.latencyMs} ms in total`];
  if (!result.ok && info.textProduced) lines.push('  Text before the failure:', indent(info.text));
  return lines;
}

function renderResult(result: AttemptResult, info?: StreamInfo): string[] {
  const lines = ['Response'];
  if (result.ok) {
    lines.push(`  Status:  ${result.status}${result.retried ? ' (after one Retry-After retry)' : ''}`);
    lines.push(`  Latency: ${result.latencyMs} ms`);
    lines.push(...renderStream(result, info));
    lines.push('  Reply:', indent(result.reply.content === '' ? '(empty content)' : result.reply.content));
    for (const a of result.reply.attachments ?? []) lines.push(`  Attachment: ${a.type} ${a.url}${a.name ? ` (${a.name})` : ''}`);
    if (result.reply.metadata && Object.keys(result.reply.metadata).length > 0) lines.push(`  Metadata: ${JSON.stringify(result.reply.metadata)}`);
    return lines;
  }
  lines.push(`  Status:  ${result.status ?? 'no response'}${result.retried ? ' (after one Retry-After retry)' : ''}`);
  lines.push(`  Latency: ${result.latencyMs} ms`);
  lines.push(`  Error:   ${result.message}`);
  lines.push(...renderStream(result, info));
  return lines;
}

/**
 * Sends one real test request to `integration` and renders the report. Never throws for
 * upstream problems: `ok` is false and the report says what to check. Every configured
 * header value, every signing secret and every string in `secrets` is redacted.
 */
export async function runIntegrationTest(integration: ResolvedIntegration, opts: IntegrationTestOptions): Promise<{ ok: boolean; report: string }> {
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

  const configured = new Set(Object.keys(integration.headers).map((h) => h.toLowerCase()));
  const lines: string[] = [`Integration "${integration.name}" (type ${integration.type}) from ${integration.source.file}:${integration.source.line}`, ''];
  const last = sent[sent.length - 1];
  if (integration.type === 'echo') {
    lines.push('Request', '  (none: echo answers locally, without any HTTP request)');
  } else if (last) {
    lines.push('Request', `  ${last.method} ${last.url}`, ...redactHeaders(last.headers, configured).map((h) => `  ${h}`), '', indent(renderBody(last.body), '  '));
  } else {
    lines.push('Request', `  (not sent) POST ${integration.url ?? '(no url)'}`);
  }
  lines.push('', ...renderResult(result, info), '');

  if (result.ok) {
    lines.push('Result: OK, the integration answered with a valid reply.');
  } else {
    const diagnosis = diagnose(result, integration);
    lines.push(`Result: FAILED (${result.failure})`);
    if (diagnosis) lines.push(`Diagnosis: ${diagnosis.title}`, ...diagnosis.hints.map((h) => `  - ${h}`));
  }

  const redact = [...new Set([...opts.secrets, ...derive(integration).secretValues])]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length);
  return { ok: result.ok, report: `${scrub(lines.join('\n'), redact)}\n` };
}
