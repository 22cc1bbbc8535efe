/**
 * The processor every queue calls: looks up the job's channel and bot, and runs the
 * channel's `run` with a `JobContext` (the pipeline bound to the snapshot, signed file
 * links, the shared dispatcher).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Dispatcher } from 'undici';
import type { ChannelJob, ChannelResponse, JobContext, ProcessOptions } from '../channels/channel.js';
import { deferredReply, replyOnly, type ReplyStream, type StreamOptions } from '../pipeline/reply-stream.js';
import { channelAdapters } from '../channels/index.js';
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { MessageTrace } from '../tracing/message-trace.js';
import type { ConversationControls } from '../controls/conversation-controls.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { JobProcessor, LocalJobState, RecordedReply } from '../queue/job-queue.js';
import { errorMessage } from '../core/error-message.js';
import { promiseOf } from '../core/promise-of.js';
import type { ConfigSource, FileLinks } from './options.js';

export interface JobContextDeps {
  pipeline: Pipeline;
  controls: ConversationControls;
  files?: FileLinks;
  dispatcher: Dispatcher;
}

/** What the pipeline needs of a channel's options (only what is set: this runs per message). */
function pipelineOptions(opts: ProcessOptions | undefined, trace: MessageTrace | undefined): StreamOptions | undefined {
  if (!opts?.live && !opts?.signal && !trace) return undefined;
  const out: StreamOptions = {};
  if (opts?.live) out.live = true;
  if (opts?.signal) out.signal = opts.signal;
  if (trace) out.trace = trace.span;
  return out;
}

/**
 * The context a channel runs a job (or opens a file) with. Under a durable queue (`reply`),
 * a reply recorded by an earlier attempt is returned without running the pipeline, and a new
 * reply is recorded before the channel delivers it (a streamed reply: its final reply, before
 * the channel's last delivery step).
 */
export function createJobContext(deps: JobContextDeps, snapshot: ConfigSnapshot, log: FastifyBaseLogger, trace?: MessageTrace, reply?: RecordedReply, respond?: JobContext['respond']): JobContext {
  const ctx: JobContext = {
    snapshot,
    process: (message, opts) => {
      // A reply recorded by an earlier attempt (durable queue) is delivered as it was.
      if (reply?.recorded) return replyOnly(Promise.resolve(reply.recorded));
      const forward = (): ReplyStream => {
        opts?.onForward?.();
        const live = deps.pipeline.process(snapshot, message, pipelineOptions(opts, trace));
        if (!reply) return live;
        // A reply that cannot be recorded is still delivered; only a takeover would repeat the webhook call.
        const recorded = live.reply.then(async (answer) => {
          await reply.record(answer).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'could not record the webhook reply before delivery'));
          return answer;
        });
        return { ...live, reply: recorded, [Symbol.asyncIterator]: () => live[Symbol.asyncIterator]() };
      };
      const bot = snapshot.bots.get(message.bot);
      // Usually known at once (no command, no rate limit): the pipeline's stream is returned
      // as it is, without a deferred wrapper held for the whole webhook call.
      const own = bot ? deps.controls.answer(bot, message, opts) : undefined;
      const stream = own === undefined ? forward() : deferredReply(own.then((answer) => (answer ? replyOnly(Promise.resolve(answer)) : forward())));
      if (trace) void stream.reply.then(() => trace.delivering(), () => undefined);
      return stream;
    },
    fileUrl: (file) => {
      if (!deps.files) throw new Error('file links are not configured (SWITCHBOARD_PUBLIC_URL, SWITCHBOARD_FILES_SECRET)');
      return deps.files.sign(file);
    },
    dispatcher: deps.dispatcher,
    log,
  };
  if (respond) ctx.respond = respond;
  return ctx;
}

/**
 * The processor for the server's queue. A job carries its snapshot and logger only while it
 * stays in this process; otherwise it runs against the current snapshot. A job whose waiting
 * client has gone is dropped when its turn comes (one already running finishes).
 */
export function createJobProcessor(deps: JobContextDeps & { config: ConfigSource; log: FastifyBaseLogger }): JobProcessor {
  // Not async: it hands back the channel's promise rather than wrapping it in another.
  return (job, local, reply) => promiseOf(() => runJob(job, local, reply));

  function runJob(job: ChannelJob, local: LocalJobState | undefined, reply: RecordedReply | undefined): Promise<ChannelResponse | undefined> {
    const snapshot = local?.snapshot ?? deps.config.current();
    const log = local?.log ?? deps.log.child({ requestId: job.requestId });
    // Nobody is left to read the answer, so the webhook is not called for it.
    if (local?.abandoned?.()) {
      log.info({ channel: job.channel, bot: job.bot }, 'the client went away before its turn; message dropped');
      return Promise.resolve(undefined);
    }
    const adapter = channelAdapters[job.channel];
    const bot = snapshot.bots.get(job.bot);
    if (!adapter || !bot?.channels[job.channel]) {
      log.warn({ channel: job.channel, bot: job.bot }, 'job for a channel or bot that is no longer configured; dropped');
      return Promise.resolve(undefined);
    }
    return adapter.run(job, bot, createJobContext(deps, snapshot, log, local?.trace, reply, local?.respond));
  }
}
