/**
 * `GET /files/:token`: streams a file a channel received, behind a signed, expiring link,
 * so a webhook never sees a token-bearing platform URL.
 */
import type { FastifyInstance } from 'fastify';
import { channelAdapters } from '../channels/index.js';
import { errorMessage } from '../core/error-message.js';
import { SwitchboardError } from '../core/errors.js';
import { createJobContext, type JobContextDeps } from './job-processor.js';
import type { ConfigSource } from './options.js';
import { sendError } from './send-error.js';

/** Registers the file route. */
export function registerFileRoutes(app: FastifyInstance, deps: JobContextDeps & { config: ConfigSource }): void {
  app.get<{ Params: { token: string } }>('/files/:token', async (req, reply) => {
    const ref = deps.files?.verify(req.params.token);
    if (!ref) return sendError(reply, 'SWB_ERR_FILE_LINK_INVALID');
    const snapshot = deps.config.current();
    const bot = snapshot.bots.get(ref.bot);
    const adapter = channelAdapters[ref.channel];
    if (!bot || !adapter?.openFile) return sendError(reply, 'SWB_ERR_FILE_LINK_INVALID');
    try {
      const file = await adapter.openFile(bot, ref.ref, createJobContext(deps, snapshot, req.log));
      void reply.type(file.contentType ?? ref.mimeType ?? 'application/octet-stream');
      if (file.size !== undefined) void reply.header('content-length', String(file.size));
      const name = file.name ?? ref.name;
      if (name) void reply.header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(name)}`);
      void reply.header('cache-control', 'private, max-age=300');
      return reply.send(file.body);
    } catch (err) {
      if (err instanceof SwitchboardError && err.status === 404) return sendError(reply, err.code, err.message);
      req.log.warn({ channel: ref.channel, bot: ref.bot, err: errorMessage(err) }, 'could not fetch file from the channel');
      return sendError(reply, 'SWB_ERR_CHANNEL_API', 'the file could not be fetched from the channel');
    }
  });
}
