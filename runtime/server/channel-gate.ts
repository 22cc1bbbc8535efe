/**
 * The one gate every channel request passes (grammY's `webhookCallback` is the model): find
 * the channel and the bot (404), authenticate (401), let the channel triage the request,
 * claim the platform's delivery id once, and hand the job to the queue. A channel in `ack`
 * mode gets its 200 as soon as the job is queued, so a slow webhook never makes the platform
 * re-send; a channel in `reply` mode waits for the job and answers with its result.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ChannelAdapter, ChannelJob, ChannelRequest, ChannelResponse } from '../channels/channel.js';
import { channelAdapters } from '../channels/index.js';
import type { ConfigSnapshot, ResolvedBot } from '../config/snapshot.js';
import { errorMessage } from '../core/error-message.js';
import { promiseOf } from '../core/promise-of.js';
import { errorResponse, SwitchboardError } from '../core/errors.js';
import type { ChannelName } from '../core/message.js';
import type { JobQueue, LocalJobState } from '../queue/job-queue.js';
import { refuseOverLimit } from './in-flight-limit.js';
import type { MessageTrace } from '../tracing/message-trace.js';
import type { Store } from '../store/store.js';
import { fingerprintOf, idempotencyKeyOf, runIdempotent, type IdempotencyStore } from '../idempotency/idempotency.js';
import { acceptsEventStream as isEventStreamRequest } from '../channels/http-event-stream.js';

/** The adapter and bot a channel URL names, or the 404 to answer. */
export function resolveChannel(snapshot: ConfigSnapshot, channel: string, botName: string): { adapter: ChannelAdapter; bot: ResolvedBot } | { response: ChannelResponse } {
  const adapter = Object.hasOwn(channelAdapters, channel) ? channelAdapters[channel as ChannelName] : undefined;
  if (!adapter) return { response: errorResponse('SWB_ERR_HTTP_NOT_FOUND', `unknown channel "${channel}"`) };
  const bot = snapshot.bots.get(botName);
  if (!bot) return { response: errorResponse('SWB_ERR_HTTP_NOT_FOUND', `unknown bot "${botName}"`) };
  if (!bot.channels[adapter.name]) return { response: errorResponse('SWB_ERR_HTTP_NOT_FOUND', `bot "${botName}" has no ${channel} channel`) };
  return { adapter, bot };
}

/** The 401 to answer when the channel's header check refuses the request, else undefined. */
export function authenticateChannel(adapter: ChannelAdapter, headers: IncomingHttpHeaders, bot: ResolvedBot): ChannelResponse | undefined {
  if (!adapter.authenticate || adapter.authenticate(headers, bot)) return undefined;
  return errorResponse('SWB_ERR_HTTP_UNAUTHORIZED', 'missing or invalid credentials');
}

export interface GateDeps {
  snapshot: ConfigSnapshot;
  /** For `reply` channels: true once the waiting client has disconnected. */
  abandoned?: () => boolean;
  trace?: MessageTrace;
  store: Pick<Store, 'claimOnce' | 'releaseClaim'>;
  queue: JobQueue;
  /** Records of `Idempotency-Key` requests (reply-mode channels). */
  idempotency?: IdempotencyStore;
  /** Messages this replica may hold at once; over it new ones are refused with a 503 (default: unlimited). */
  maxInFlight?: number;
  /** Throttles the refusal's log line (see `createRefusalLog`); without it every refusal is logged. */
  refusalLog?: () => number | undefined;
}

/**
 * Triage, claim and queue an authenticated request; resolves with the answer for the sender.
 * Not async itself: in `reply` mode it hands back the queue's promise instead of holding a
 * suspended frame per waiting message for the whole webhook call.
 */
export function acceptChannelRequest(adapter: ChannelAdapter, request: ChannelRequest, bot: ResolvedBot, deps: GateDeps): Promise<ChannelResponse> {
  return promiseOf(() => accept(adapter, request, bot, deps));
}

function accept(adapter: ChannelAdapter, request: ChannelRequest, bot: ResolvedBot, deps: GateDeps): Promise<ChannelResponse> {
  const triage = adapter.triage(request, bot);
  if (triage.kind === 'answer') return Promise.resolve(triage.response);
  // Before the claim, so a refused delivery is not taken for a duplicate when it is re-sent.
  // A durable queue keeps acked jobs in Redis and bounds the work it holds itself: not refused.
  const durable = adapter.mode === 'ack' && deps.queue.accept !== undefined;
  const refusal = durable ? undefined : refuseOverLimit(deps.queue.size, deps.maxInFlight ?? Infinity);
  if (refusal) {
    const refused = deps.refusalLog ? deps.refusalLog() : 1;
    if (refused !== undefined) request.log.warn({ channel: adapter.name, bot: bot.name, inFlight: deps.queue.size, refused }, 'too many messages in flight; asking senders to retry');
    return Promise.resolve(refusal);
  }
  const { job } = triage;
  const local: LocalJobState = { snapshot: deps.snapshot, log: request.log, ...(deps.trace ? { trace: deps.trace } : {}), ...(deps.abandoned ? { abandoned: deps.abandoned } : {}) };
  if (adapter.mode === 'reply') {
    const abandoned = deps.abandoned;
    const { queue } = deps;
    // Dropped because the client left: not an answer to keep for a repeat of its Idempotency-Key.
    const answerOf = (res: ChannelResponse | undefined): ChannelResponse => {
      if (res === undefined && abandoned?.()) throw new SwitchboardError('SWB_ERR_STREAM_CANCELLED', 'the client went away before its turn');
      return res ?? { status: 200 };
    };
    const run = (): Promise<ChannelResponse> => queue.push(job, local).then(answerOf);
    // An event stream answers early (its response starts before the job ends) and keeps its conversation until it ends.
    const runStream = (): Promise<ChannelResponse> =>
      new Promise<ChannelResponse>((resolve, reject) => {
        local.respond = resolve;
        run().then(resolve, reject);
      });
    const { key, response } = idempotencyKeyOf(request.headers['idempotency-key']);
    if (response) return Promise.resolve(response);
    // An event stream cannot be replayed: such a request runs without an idempotency record.
    if (isEventStreamRequest(request.headers.accept)) return runStream();
    if (!key || !deps.idempotency) return run();
    return runIdempotent({ store: deps.idempotency, bot: bot.name, key, fingerprint: fingerprintOf(request.rawBody) }, run);
  }
  return claimAndQueue(adapter, job, request, deps);
}

/**
 * Claims the job's delivery id and queues it: 200 when queued or a duplicate, 503 when the
 * store is down or the job could not be queued (the claim is then released) so the platform
 * re-sends.
 */
async function claimAndQueue(adapter: ChannelAdapter, job: ChannelJob, request: ChannelRequest, deps: GateDeps): Promise<ChannelResponse> {
  const fields = { channel: job.channel, bot: job.bot };
  const claim = job.claim;
  if (deps.queue.accept) return persist(adapter, job, request, deps);
  if (claim) {
    let first: boolean;
    try {
      first = await deps.store.claimOnce(claim.key, claim.ttlSeconds);
    } catch (err) {
      request.log.warn({ ...fields, err: errorMessage(err) }, `store unavailable; asking ${adapter.platform} to re-send`);
      return errorResponse('SWB_ERR_STORE_UNAVAILABLE');
    }
    if (!first) {
      request.log.info({ ...fields, ...claim.logFields }, `duplicate ${adapter.noun} ignored`);
      return { status: 200 };
    }
  }
  // The trace stays open until the job is done, after the platform got its 200.
  const release = deps.trace?.hold();
  try {
    const done = deps.queue.push(job, { snapshot: deps.snapshot, log: request.log, ...(deps.trace ? { trace: deps.trace } : {}) });
    (release ? done.finally(release) : done).catch((err: unknown) => request.log.error({ err: errorMessage(err) }, 'background job failed'));
  } catch (err) {
    request.log.warn({ ...fields, err: errorMessage(err) }, `could not queue the ${adapter.noun}; asking ${adapter.platform} to re-send`);
    release?.();
    if (claim) await deps.store.releaseClaim(claim.key).catch(() => undefined);
    return errorResponse('SWB_ERR_HTTP_UNAVAILABLE');
  }
  return { status: 200 };
}

/**
 * A durable queue writes the job and claims its delivery id in one step: 200 once written
 * (or for a duplicate), 503 when the write failed so the platform re-sends.
 */
async function persist(adapter: ChannelAdapter, job: ChannelJob, request: ChannelRequest, deps: GateDeps): Promise<ChannelResponse> {
  let first: boolean;
  try {
    first = await (deps.queue.accept as NonNullable<JobQueue['accept']>)(job, { snapshot: deps.snapshot, log: request.log, ...(deps.trace ? { trace: deps.trace } : {}) });
  } catch (err) {
    request.log.warn({ channel: job.channel, bot: job.bot, err: errorMessage(err) }, `could not persist the ${adapter.noun}; asking ${adapter.platform} to re-send`);
    return errorResponse('SWB_ERR_STORE_UNAVAILABLE');
  }
  if (!first) request.log.info({ channel: job.channel, bot: job.bot, ...job.claim?.logFields }, `duplicate ${adapter.noun} ignored`);
  return { status: 200 };
}
