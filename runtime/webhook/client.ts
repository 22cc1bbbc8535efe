/**
 * The webhook client: one attempt against one integration. undici `request` on a shared
 * keep-alive dispatcher (not fetch), one overall deadline per attempt covering connect,
 * headers, a slowly dripping body and the single Retry-After retry, a reply size cap,
 * no redirects, Standard Webhooks signing, connect-time private-network checks.
 */
import { type Dispatcher, request } from 'undici';
import type { ResolvedIntegration } from '../config/snapshot.js';
import type { WebhookRequest } from '../core/message.js';
import type { BadReplyReason } from '../providers/provider.js';
import type { AttemptOptions, AttemptResult } from './attempt.js';
import type { AttemptStream, StreamResult } from './attempt-stream.js';
import { abortedOutcome, isEventStream, readEventStream } from './read-event-stream.js';
import { StreamControl } from './stream-control.js';
import { classifyError } from './classify.js';
import { Deadline } from './deadline.js';
import { derive, scrub, type DerivedIntegration } from './derived.js';
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
function runAttempt(integration: ResolvedIntegration, payload: WebhookRequest, opts: AttemptOptions, ctl: StreamControl | undefined): Promise<AttemptResult> {
  const started = performance.now();
  const d = derive(integration);
  if (d.provider.answerLocally) {
    return Promise.resolve({ ok: true, reply: d.provider.answerLocally(payload), status: 200, latencyMs: elapsed(started), retried: false });
  }
  if (d.configError) return Promise.resolve({ ok: false, failure: 'unreachable', message: d.configError, latencyMs: elapsed(started), retried: false });
  const refusal = d.preflight(opts.allowPrivateNetwork);
  if (refusal) return Promise.resolve({ ok: false, failure: 'blocked', message: refusal, latencyMs: elapsed(started), retried: false });
  return exchange(new Attempt(d, integration, opts, ctl, started), payload);
}

/**
 * The request/response exchange of one attempt. This is the frame a message holds while the
 * webhook thinks (seconds, for thousands of messages at once), so it stays small: the
 * attempt's state lives in `a`, and reading the reply is a separate step.
 */
async function exchange(a: Attempt, payload: WebhookRequest): Promise<AttemptResult> {
  try {
    const body = a.build(payload);
    for (;;) {
      const res = await a.send(body);
      const result = await a.read(res);
      if (result !== RETRY) return result;
    }
  } catch (err) {
    return a.failed(err);
  } finally {
    a.finish();
  }
}

/** `Attempt.read`'s answer when the webhook asked to be called again (429/503 with Retry-After). */
const RETRY = Symbol('retry');

/** One attempt's state: the deadline, the headers sent, the status seen, whether it was retried. */
class Attempt {
  readonly timeoutMs: number;
  /** A stream's retry must also come before its first-token deadline. */
  readonly deadlineAt: number;
  readonly deadline: Deadline;
  readonly dispatcher: Dispatcher;
  readonly headers: Record<string, string> = {};
  webhookId: string | undefined;
  retried = false;
  status: number | undefined;

  constructor(
    readonly d: DerivedIntegration,
    readonly integration: ResolvedIntegration,
    readonly opts: AttemptOptions,
    readonly ctl: StreamControl | undefined,
    readonly started: number,
  ) {
    this.timeoutMs = opts.timeoutMs ?? integration.timeoutMs;
    this.deadlineAt = started + (ctl?.limits.codec ? Math.min(this.timeoutMs, ctl.limits.firstTokenTimeoutMs) : this.timeoutMs);
    this.deadline = new Deadline(this.timeoutMs);
    ctl?.attach(this.deadline, started);
    this.dispatcher = opts.dispatcher ?? guardedDispatcher(opts.allowPrivateNetwork);
  }

  /** The provider's request: the headers (configured ones win) and the body. */
  build(payload: WebhookRequest): string {
    const { d, opts } = this;
    const built = d.provider.buildRequest(payload, this.integration);
    const headers = Object.assign(this.headers, d.fixedHeaders);
    for (const [name, value] of Object.entries(built.headers)) {
      if (!d.configuredNames.has(name.toLowerCase())) headers[name] = value;
    }
    headers['X-Bot-ID'] = payload.bot.id;
    headers['X-Request-ID'] = opts.requestId;
    if (opts.traceparent) headers.traceparent = opts.traceparent;
    if (this.d.signingKeys.length > 0) this.webhookId = newWebhookId();
    return built.body;
  }

  /** Sends the request (signed afresh for each try, with the same `webhook-id`). */
  send(body: string): Promise<Dispatcher.ResponseData> {
    const { d, opts, headers, dispatcher, deadline } = this;
    if (this.webhookId) Object.assign(headers, signingHeaders(d.signingKeys, this.webhookId, Math.floor((opts.now ?? Date.now)() / 1000), body));
    opts.onRequest?.({ method: 'POST', url: d.url, headers: { ...headers }, body });
    // dispatcher.request with the pre-split URL: undici's top-level request() parses the URL every call.
    return d.target
      ? dispatcher.request({ origin: d.target.origin, path: d.target.path, method: 'POST', headers, body, signal: deadline })
      : request(d.url, { method: 'POST', headers, body, dispatcher, signal: deadline });
  }

  /** Reads the response into the attempt's result, or RETRY. */
  async read(res: Dispatcher.ResponseData): Promise<AttemptResult | typeof RETRY> {
    const { d, ctl } = this;
    const status = res.statusCode;
    this.status = status;
    if (status >= 200 && status < 300) {
      if (ctl?.limits.codec && isEventStream(res.headers['content-type'])) {
        const outcome = await readEventStream(res.body, ctl.limits.codec, ctl, this.deadline);
        if (outcome.ok) return { ok: true, reply: outcome.reply, status, latencyMs: elapsed(this.started), retried: this.retried };
        const { failure, message, reason, cause } = outcome;
        const failed: AttemptResult = { ok: false, failure, status, message: scrub(message, d.secretValues), latencyMs: elapsed(this.started), retried: this.retried };
        if (reason !== undefined) failed.reason = reason;
        if (cause !== undefined) failed.cause = cause;
        return failed;
      }
      const bytes = await readBounded(res.body, MAX_REPLY_BYTES, res.headers['content-length']);
      if (bytes === null) {
        return this.fail('bad_reply', `the reply is larger than ${MAX_REPLY_BYTES} bytes (1 MiB)`, 'too_large');
      }
      const json = parseJsonBody(bytes);
      if (!json.ok) {
        const type = res.headers['content-type'];
        const hint = typeof type === 'string' && !type.includes('json') ? ` (Content-Type: ${type.split(';')[0]})` : '';
        return this.fail('bad_reply', `${json.message}${hint}`, 'invalid_json');
      }
      const parsed = d.provider.parseReply(json.value);
      if (!parsed.ok) return this.fail('bad_reply', scrub(parsed.message, d.secretValues), parsed.reason);
      return { ok: true, reply: parsed.reply, status, latencyMs: elapsed(this.started), retried: this.retried };
    }

    if (!this.retried && (status === 429 || status === 503)) {
      const delay = parseRetryAfter(res.headers['retry-after'], (this.opts.now ?? Date.now)());
      if (delay !== null && performance.now() + delay < this.deadlineAt) {
        await res.body.dump({ limit: MAX_ERROR_BODY_BYTES }).catch(() => undefined);
        await this.deadline.sleep(delay);
        this.retried = true;
        return RETRY;
      }
    }

    if (status >= 300 && status < 400) {
      discard(res.body);
      return this.fail('http_status', `the webhook answered ${status} (a redirect); redirects are not followed, configure the final URL`);
    }
    const prefix = await readPrefix(res.body, MAX_ERROR_BODY_BYTES);
    const body = parseJsonBody(prefix);
    const described = d.provider.describeError?.(status, body.ok ? body.value : undefined, res.headers);
    return this.fail('http_status', scrub(described ?? `the webhook answered ${status}`, d.secretValues));
  }

  /** The result for an error thrown on the way (connect, deadline, cancel, a broken body). */
  failed(err: unknown): AttemptResult {
    const { failure, message } = this.ctl?.fired ? abortedOutcome(this.ctl, this.deadline, err) : classifyError(err, this.deadline.aborted, this.timeoutMs);
    return { ok: false, failure, status: this.status, message: scrub(message, this.d.secretValues), latencyMs: elapsed(this.started), retried: this.retried, cause: err };
  }

  fail(failure: 'bad_reply' | 'http_status', message: string, reason?: BadReplyReason): AttemptResult {
    const { status, retried } = this;
    return reason === undefined
      ? { ok: false, failure, status, message, latencyMs: elapsed(this.started), retried }
      : { ok: false, failure, status, message, latencyMs: elapsed(this.started), retried, reason };
  }

  /** Stops the deadline and the stream's timers. */
  finish(): void {
    this.deadline.clear();
    this.ctl?.end();
  }
}
