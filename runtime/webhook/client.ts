/**
 * The webhook client: one attempt against one integration. undici `request` on a shared
 * keep-alive dispatcher (not fetch), one overall deadline per attempt covering connect,
 * headers, a slowly dripping body and the single Retry-After retry, a reply size cap,
 * no redirects, Standard Webhooks signing, connect-time private-network checks.
 */
import { request } from 'undici';
import type { ResolvedIntegration } from '../config/snapshot.js';
import type { WebhookRequest } from '../core/message.js';
import type { BadReplyReason } from '../providers/provider.js';
import type { AttemptOptions, AttemptResult } from './attempt.js';
import type { AttemptStream, StreamResult } from './attempt-stream.js';
import { abortedOutcome, isEventStream, readEventStream } from './read-event-stream.js';
import { StreamControl } from './stream-control.js';
import { classifyError } from './classify.js';
import { Deadline } from './deadline.js';
import { derive, scrub } from './derived.js';
import { guardedDispatcher } from './guarded-dispatcher.js';
import { discard, MAX_ERROR_BODY_BYTES, MAX_REPLY_BYTES, parseJsonBody, readBounded, readPrefix } from './read-body.js';
import { parseRetryAfter } from './retry-after.js';
import { newWebhookId, signingHeaders } from './signing.js';

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * Calls `integration` with the platform `payload` and reports one AttemptResult; never
 * throws. `echo` answers locally. Failures are classified (`unreachable`, `timeout`,
 * `http_status`, `bad_reply`, `blocked`, and for streams `first_token_timeout`,
 * `idle_timeout`, `interrupted`, `stream_error`; `cancelled` through `opts.signal`) with
 * secret-free messages. A 429/503 whose Retry-After fits in the remaining time is retried
 * once, with the same `webhook-id`. A `stream: true` integration is streamed and
 * assembled (see `streamIntegration`).
 */
export function callIntegration(integration: ResolvedIntegration, payload: WebhookRequest, opts: AttemptOptions): Promise<AttemptResult> {
  if (integration.stream === true || opts.signal) return streamIntegration(integration, payload, opts).result;
  return runAttempt(integration, payload, opts, undefined);
}

/**
 * Starts one attempt and returns it as an AttemptStream: the text deltas as they arrive and
 * the final result. For `stream: true` the request asks for a stream and a
 * `text/event-stream` reply is read incrementally under the three deadlines; a plain JSON
 * reply (or a non-streaming integration) is a stream without deltas. `opts.signal` or
 * `cancel()` aborts the attempt and closes the upstream connection.
 */
export function streamIntegration(integration: ResolvedIntegration, payload: WebhookRequest, opts: AttemptOptions): AttemptStream {
  const timeoutMs = opts.timeoutMs ?? integration.timeoutMs;
  const provider = derive(integration).provider;
  const ctl = new StreamControl({
    codec: integration.stream === true ? provider.stream : undefined,
    timeoutMs,
    firstTokenTimeoutMs: integration.firstTokenTimeoutMs ?? timeoutMs,
    idleTimeoutMs: integration.idleTimeoutMs ?? timeoutMs,
    maxBytes: MAX_REPLY_BYTES,
    onDelta: opts.onDelta,
  });
  const signal = opts.signal;
  const onAbort = (): void => ctl.cancel();
  if (signal?.aborted) ctl.cancel();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const settle = (r: AttemptResult): StreamResult => {
    ctl.end();
    signal?.removeEventListener('abort', onAbort);
    return { ...r, stream: { ...ctl.info } };
  };
  // runAttempt reports failures as results; the rejection branch only guards the iteration from hanging.
  const result = runAttempt(integration, payload, opts, ctl).then(settle, (err: unknown) =>
    settle({ ok: false, failure: 'unreachable', message: `the attempt failed (${err instanceof Error ? err.name : 'unknown error'})`, latencyMs: 0, retried: false, cause: err }),
  );
  return { result, cancel: () => ctl.cancel(), [Symbol.asyncIterator]: () => ctl.deltas() };
}

/** One attempt; `ctl` (streaming or cancellable attempts only) adds the stream deadlines and SSE reading. */
async function runAttempt(integration: ResolvedIntegration, payload: WebhookRequest, opts: AttemptOptions, ctl: StreamControl | undefined): Promise<AttemptResult> {
  const started = performance.now();
  const d = derive(integration);
  if (d.provider.answerLocally) {
    return { ok: true, reply: d.provider.answerLocally(payload), status: 200, latencyMs: elapsed(started), retried: false };
  }
  if (d.configError) return { ok: false, failure: 'unreachable', message: d.configError, latencyMs: elapsed(started), retried: false };
  const refusal = d.preflight(opts.allowPrivateNetwork);
  if (refusal) return { ok: false, failure: 'blocked', message: refusal, latencyMs: elapsed(started), retried: false };

  const timeoutMs = opts.timeoutMs ?? integration.timeoutMs;
  // A stream's retry must also come before its first-token deadline.
  const deadlineAt = started + (ctl?.limits.codec ? Math.min(timeoutMs, ctl.limits.firstTokenTimeoutMs) : timeoutMs);
  const deadline = new Deadline(timeoutMs);
  ctl?.attach(deadline, started);
  const dispatcher = opts.dispatcher ?? guardedDispatcher(opts.allowPrivateNetwork);
  const now = opts.now ?? Date.now;
  let retried = false;
  let status: number | undefined;

  try {
    const built = d.provider.buildRequest(payload, integration);
    const headers: Record<string, string> = { ...d.fixedHeaders };
    for (const [name, value] of Object.entries(built.headers)) {
      if (!d.configuredNames.has(name.toLowerCase())) headers[name] = value;
    }
    headers['X-Bot-ID'] = payload.bot.id;
    headers['X-Request-ID'] = opts.requestId;
    if (opts.traceparent) headers.traceparent = opts.traceparent;
    const webhookId = d.signingKeys.length > 0 ? newWebhookId() : undefined;

    for (;;) {
      if (webhookId) Object.assign(headers, signingHeaders(d.signingKeys, webhookId, Math.floor(now() / 1000), built.body));
      opts.onRequest?.({ method: 'POST', url: d.url, headers: { ...headers }, body: built.body });
      // dispatcher.request with the pre-split URL: undici's top-level request() parses the URL every call.
      const res = d.target
        ? await dispatcher.request({ origin: d.target.origin, path: d.target.path, method: 'POST', headers, body: built.body, signal: deadline })
        : await request(d.url, { method: 'POST', headers, body: built.body, dispatcher, signal: deadline });
      status = res.statusCode;

      if (status >= 200 && status < 300) {
        if (ctl?.limits.codec && isEventStream(res.headers['content-type'])) {
          const outcome = await readEventStream(res.body, ctl.limits.codec, ctl, deadline);
          if (outcome.ok) return { ok: true, reply: outcome.reply, status, latencyMs: elapsed(started), retried };
          const { failure, message, reason, cause } = outcome;
          const failed: AttemptResult = { ok: false, failure, status, message: scrub(message, d.secretValues), latencyMs: elapsed(started), retried };
          if (reason !== undefined) failed.reason = reason;
          if (cause !== undefined) failed.cause = cause;
          return failed;
        }
        const bytes = await readBounded(res.body, MAX_REPLY_BYTES, res.headers['content-length']);
        if (bytes === null) {
          return fail('bad_reply', `the reply is larger than ${MAX_REPLY_BYTES} bytes (1 MiB)`, 'too_large');
        }
        const json = parseJsonBody(bytes);
        if (!json.ok) {
          const type = res.headers['content-type'];
          const hint = typeof type === 'string' && !type.includes('json') ? ` (Content-Type: ${type.split(';')[0]})` : '';
          return fail('bad_reply', `${json.message}${hint}`, 'invalid_json');
        }
        const parsed = d.provider.parseReply(json.value);
        if (!parsed.ok) return fail('bad_reply', scrub(parsed.message, d.secretValues), parsed.reason);
        return { ok: true, reply: parsed.reply, status, latencyMs: elapsed(started), retried };
      }

      if (!retried && (status === 429 || status === 503)) {
        const delay = parseRetryAfter(res.headers['retry-after'], now());
        if (delay !== null && performance.now() + delay < deadlineAt) {
          await res.body.dump({ limit: MAX_ERROR_BODY_BYTES }).catch(() => undefined);
          await deadline.sleep(delay);
          retried = true;
          continue;
        }
      }

      if (status >= 300 && status < 400) {
        discard(res.body);
        return fail('http_status', `the webhook answered ${status} (a redirect); redirects are not followed, configure the final URL`);
      }
      const prefix = await readPrefix(res.body, MAX_ERROR_BODY_BYTES);
      const body = parseJsonBody(prefix);
      const described = d.provider.describeError?.(status, body.ok ? body.value : undefined, res.headers);
      return fail('http_status', scrub(described ?? `the webhook answered ${status}`, d.secretValues));
    }
  } catch (err) {
    const { failure, message } = ctl?.fired ? abortedOutcome(ctl, deadline, err) : classifyError(err, deadline.aborted, timeoutMs);
    return { ok: false, failure, status, message: scrub(message, d.secretValues), latencyMs: elapsed(started), retried, cause: err };
  } finally {
    deadline.clear();
    ctl?.end();
  }

  function fail(failure: 'bad_reply' | 'http_status', message: string, reason?: BadReplyReason): AttemptResult {
    return reason === undefined
      ? { ok: false, failure, status, message, latencyMs: elapsed(started), retried }
      : { ok: false, failure, status, message, latencyMs: elapsed(started), retried, reason };
  }
}
