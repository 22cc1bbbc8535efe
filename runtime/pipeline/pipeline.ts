/**
 * The message pipeline: conversation (history + contextWindow + systemPrompt) → routing
 * (sticky weighted pick, fallbacks) → webhook client (provider build/parse) → history append.
 * Channels call `process`; it never throws for upstream or store failures: the user gets the
 * reply, or the bot's `fallbackMessage` with an error code.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ConfigSnapshot, ResolvedBot } from '../config/snapshot.js';
import type { ChatMessage, InboundMessage, OutboundReply, StoredMessage } from '../core/message.js';
import { deliverableAttachments } from './attachment-filter.js';
import { createLogThrottle } from '../core/log-throttle.js';
import { errorMessage } from '../core/error-message.js';
import { redactSecrets } from '../core/redact.js';
import { userIndexWrite } from '../controls/user-index-write.js';
import { failureErrorCode } from '../webhook/classify.js';
import type { Metrics } from '../metrics/metrics.js';
import type { BeginTurnResult, CounterSource, EndTurnWrite, Store } from '../store/store.js';
import type { AttemptOptions, AttemptResult } from '../webhook/attempt.js';
import type { ResolvedIntegration } from '../config/snapshot.js';
import type { WebhookRequest } from '../core/message.js';
import { buildPayload, userContent } from './payload.js';
import { DeltaQueue, liveReply, replyOnly, type ReplyStream, type StreamOptions } from './reply-stream.js';
import type { AttemptStream } from '../webhook/attempt-stream.js';
import type { Router } from '../routing/router.js';
import { formatTraceparent } from '../tracing/trace-ids.js';
import type { Span, Tracing } from '../tracing/tracing.js';

export type CallIntegration = (integration: ResolvedIntegration, payload: WebhookRequest, opts: AttemptOptions) => Promise<AttemptResult>;

/** Starts a streamed attempt (the webhook client's `streamIntegration`). */
export type StreamIntegration = (integration: ResolvedIntegration, payload: WebhookRequest, opts: AttemptOptions) => AttemptStream;

export interface PipelineDeps {
  store: Store;
  call: CallIntegration;
  /** Used for live consumers of `stream: true` integrations; without it every attempt is assembled by `call`. */
  stream?: StreamIntegration;
  router: Router;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** Pending stats counters, handed to each `endTurn` (given back when the write fails). */
  counters?: CounterSource;
  /** Spans per store turn and webhook attempt; the traceparent of each attempt. */
  tracing?: Tracing;
  /** Clock of the store-error log throttle (tests). */
  now?: () => number;
}

export interface Pipeline {
  /**
   * Answers one message as a ReplyStream. Callers keep one conversation's messages in order
   * (the server's job queue runs them one at a time per conversation). Until a delta has been
   * handed to a live consumer a failed attempt goes to the fallbacks; after it, none is tried
   * and the reply is the text shown, marked `SWB_ERR_STREAM_INTERRUPTED`.
   */
  process(snapshot: ConfigSnapshot, message: InboundMessage, options?: StreamOptions): ReplyStream;
}

const NOTHING_SHOWN: { readonly text: string } = Object.freeze({ text: '' });

export function historyKey(message: InboundMessage): string {
  return `h:${message.bot}:${message.channel}:${message.conversationId}`;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { store, metrics, log, tracing } = deps;
  // A failing store fails every message the same way: one line per 10 s per error, with a count.
  const storeLog = createLogThrottle(deps.now ? { now: deps.now } : {});
  const warnStore = (what: string, err: unknown, fields: Record<string, unknown>): void => {
    const text = errorMessage(err);
    storeLog.hit(`${what}\n${text}`, (repeated) => log.warn({ ...fields, err: text, ...(repeated > 0 ? { repeated } : {}) }, what));
  };

  /**
   * The store's turn, or undefined when the store fails (the caller answers without history).
   * switchboard_store_up is read from the store's health at scrape time, not set per message.
   */
  async function beginTurn(bot: ResolvedBot, message: InboundMessage, key: string, assignment: Parameters<Store['beginTurn']>[0]['assignment'], trace: Span | undefined): Promise<BeginTurnResult | undefined> {
    const span = trace && tracing?.startStoreSpan(trace, 'begin_turn');
    try {
      // json: stored text where the store can give it; the payload splices it (see payload.ts).
      return await store.beginTurn(assignment ? { historyKey: key, limit: bot.contextWindow, assignment, json: true } : { historyKey: key, limit: bot.contextWindow, json: true });
    } catch (err) {
      metrics.storeErrors.inc({ operation: 'begin_turn' });
      warnStore('history store unavailable: answering without history', err, { requestId: message.requestId, bot: bot.name });
      return undefined;
    } finally {
      span?.end();
    }
  }

  /** History, routing and the payload of one message; the attempts come after. */
  async function prepare(snapshot: ConfigSnapshot, message: InboundMessage, trace: Span | undefined) {
    const bot = snapshot.bots.get(message.bot);
    if (!bot) throw new Error(`unknown bot ${message.bot}`);
    const key = historyKey(message);
    const plan = deps.router.plan(bot, message);
    const begun = await beginTurn(bot, message, key, plan.assignment, trace);
    const degraded = begun === undefined;
    // Store down: no history, and the deterministic hash's candidate keeps users on their arm.
    const turn = begun ?? { history: [], assignment: plan.assignment?.candidate ?? null, assigned: false };
    const route = deps.router.decide(bot, plan, turn.assignment);
    if (route.reassign && plan.assignment && !degraded) {
      store.setAssignment(plan.assignment.key, route.reassign, plan.assignment.ttlSeconds).catch((err: unknown) => {
        metrics.storeErrors.inc({ operation: 'set_assignment' });
        warnStore('could not record the new assignment', err, { requestId: message.requestId });
      });
    }
    const current: ChatMessage = { role: 'user', content: userContent(message) };
    const payload = buildPayload(bot, message, turn.historyJson ?? turn.history, current);
    return { bot, key, degraded, turn, route, current, payload, assignment: plan.assignment };
  }

  /**
   * One attempt. Live, against a streaming integration, its deltas go to `queue` as they come
   * (`shown` collects them); otherwise the attempt is assembled by the webhook client.
   */
  function attempt(integration: ResolvedIntegration, payload: WebhookRequest, opts: AttemptOptions, queue: DeltaQueue | undefined, shown: { text: string }): Promise<AttemptResult> {
    // Not live (or not a streaming integration): assembled by the webhook client, nothing shown.
    if (!queue || integration.stream !== true || !deps.stream) return deps.call(integration, payload, opts);
    // Each delta goes to the channel as it is parsed (no iteration hop per delta).
    const onDelta = (text: string): void => {
      shown.text += text;
      queue.push({ delta: text });
    };
    return deps.stream(integration, payload, { ...opts, onDelta }).result;
  }

  async function processNow(snapshot: ConfigSnapshot, message: InboundMessage, queue: DeltaQueue | undefined, options: StreamOptions | undefined): Promise<OutboundReply> {
    const trace = options?.trace;
    const signal = options?.signal;
    const { bot, key, degraded, turn, route, current, payload, assignment } = await prepare(snapshot, message, trace);
    const opts: AttemptOptions = { requestId: message.requestId, allowPrivateNetwork: snapshot.allowPrivateNetwork };
    if (signal) opts.signal = signal;
    // Only a live reply can show text; the shared empty record is never written then.
    const shown = queue ? { text: '' } : NOTHING_SHOWN;
    let lastFailure: Extract<AttemptResult, { ok: false }> | undefined;
    let reply: OutboundReply | undefined;
    let outcome: 'answered' | 'fallback_message' | 'interrupted' | 'cancelled' = 'fallback_message';
    for (const name of route.order) {
      const integration = snapshot.integrations.get(name);
      if (!integration) continue;
      const role = name === route.primary ? 'primary' : 'fallback';
      const span = trace && tracing?.startAttemptSpan(trace, { bot: bot.name, integration: name, type: integration.type, model: integration.model, conversationId: message.conversationId, role });
      const result = await attempt(integration, payload, span ? { ...opts, traceparent: formatTraceparent(span.spanContext()) } : opts, queue, shown);
      if (span) tracing?.endAttemptSpan(span, result.ok ? { ok: true, status: result.status, metadata: result.reply.metadata } : { ok: false, failure: result.failure, status: result.status, message: redactSecrets(result.message, snapshot.secrets) });
      const attemptOutcome = result.ok ? 'ok' : result.failure;
      metrics.webhookAttempts.inc({ bot: bot.name, integration: name, role, outcome: attemptOutcome });
      metrics.webhookLatency.observe({ bot: bot.name, integration: name }, result.latencyMs / 1000);
      deps.router.record(bot, { integration: name, outcome: attemptOutcome, latencyMs: result.latencyMs, primary: name === route.primary, assigned: name === route.primary && (turn.assigned || route.reassign !== undefined) });
      if (result.ok) {
        if (name !== route.primary) metrics.fallbacks.inc({ bot: bot.name, integration: name });
        const attachments = result.reply.attachments;
        reply = {
          content: result.reply.content,
          attachments: attachments ? deliverableAttachments(attachments, snapshot.allowPrivateNetwork, (scheme) => {
            metrics.attachmentsDropped.inc({ bot: bot.name, scheme });
            log.warn({ requestId: message.requestId, bot: bot.name, integration: name, scheme }, `reply attachment dropped: a ${scheme} URL is not delivered to users (https only)`);
          }) : [],
          ...(result.reply.metadata ? { metadata: result.reply.metadata } : {}),
          integration: name,
        };
        outcome = 'answered';
        break;
      }
      lastFailure = result;
      const why = redactSecrets(result.message, snapshot.secrets);
      log.warn(
        { requestId: message.requestId, bot: bot.name, integration: name, failure: result.failure, status: result.status, latencyMs: Math.round(result.latencyMs), shownChars: shown.text.length },
        `webhook attempt failed: ${why}`,
      );
      // Text was shown: the user keeps it, no other integration is tried.
      if (shown.text !== '') {
        reply = { content: shown.text, attachments: [], integration: name, error: { code: 'SWB_ERR_STREAM_INTERRUPTED', message: why } };
        outcome = result.failure === 'cancelled' ? 'cancelled' : 'interrupted';
        break;
      }
      // The caller went away: nobody is left to answer.
      if (result.failure === 'cancelled' || signal?.aborted) {
        outcome = 'cancelled';
        break;
      }
    }
    queue?.end();

    const stored: StoredMessage[] = [current];
    if (reply) stored.push({ role: 'assistant', content: reply.content });
    if (!degraded) await endTurn(bot, message, key, stored, assignment, trace);
    metrics.messages.inc({ bot: bot.name, channel: message.channel, outcome });
    if (reply) return reply;
    // One failed attempt names its own failure; several (or none) are "all attempts failed".
    const why = lastFailure ? redactSecrets(lastFailure.message, snapshot.secrets) : 'no integration with weight > 0 is available';
    const error =
      lastFailure && (route.order.length === 1 || outcome === 'cancelled')
        ? { code: failureErrorCode(lastFailure.failure), message: why }
        : { code: 'SWB_ERR_ALL_ATTEMPTS_FAILED', message: route.order.length > 1 ? `every attempt failed; last: ${why}` : why };
    return { content: bot.fallbackMessage, attachments: [], error };
  }

  async function endTurn(bot: ResolvedBot, message: InboundMessage, key: string, stored: StoredMessage[], assignment: Parameters<typeof userIndexWrite>[3], trace: Span | undefined): Promise<void> {
    const counters = deps.counters?.drain() ?? [];
    const ttl = Math.ceil(bot.historyTtlMs / 1000);
    const write: EndTurnWrite = { historyKey: key, messages: stored, maxLength: Math.max(bot.contextWindow, 1) * 2, ttlSeconds: ttl, userIndex: userIndexWrite(bot, message, key, assignment) };
    if (counters.length > 0) write.counters = counters;
    const span = trace && tracing?.startStoreSpan(trace, 'end_turn');
    try {
      await store.endTurn(write);
    } catch (err) {
      if (counters.length > 0) deps.counters?.restore(counters);
      metrics.storeErrors.inc({ operation: 'end_turn' });
      warnStore('history store unavailable: this turn was not recorded', err, { requestId: message.requestId, bot: bot.name });
    } finally {
      span?.end();
    }
  }

  function process(snapshot: ConfigSnapshot, message: InboundMessage, options?: StreamOptions): ReplyStream {
    if (!options?.live) return replyOnly(processNow(snapshot, message, undefined, options));
    const queue = new DeltaQueue();
    const reply = processNow(snapshot, message, queue, options);
    // A throw ends the deltas too; the caller sees it through `reply`.
    reply.catch(() => queue.end());
    return liveReply(queue, reply);
  }

  return { process };
}
