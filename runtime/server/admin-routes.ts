/**
 * Health, readiness and the admin routes (`/metrics`, `/config`, `/bots/:bot/stats`); the
 * admin routes need `Authorization: Bearer $SWITCHBOARD_ADMIN_TOKEN` when one is set.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConfigSnapshot } from '../config/snapshot.js';
import { SwitchboardError } from '../core/errors.js';
import { redactSecrets } from '../core/redact.js';
import { VERSION } from '../core/version.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ConfigStatus } from '../reload/config-manager.js';
import type { Store } from '../store/store.js';
import { adminAuthorized } from './admin-auth.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { ServerOptions } from './options.js';
import { sendError } from './send-error.js';

export type AdminRouteDeps = Pick<ServerOptions, 'config' | 'store' | 'adminToken' | 'readStats'> & { metrics: Metrics; queue?: Pick<JobQueue, 'depth' | 'deadLetters' | 'size'> };

/** Registers `/healthz`, `/readyz`, `/metrics`, `/config`, `/delivery` and `/bots/:bot/stats`. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const { config, store, metrics } = deps;
  const requireAdmin = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!deps.adminToken) return;
    // The token as Bearer, or as the password of Basic auth (what a browser prompt sends).
    if (!adminAuthorized(req.headers.authorization, deps.adminToken)) {
      await sendError(reply, 'SWB_ERR_HTTP_UNAUTHORIZED', 'this route needs Authorization: Bearer $SWITCHBOARD_ADMIN_TOKEN');
    }
  };

  app.get('/healthz', async () => ({ status: 'ok', version: VERSION }));

  app.get('/readyz', async () => {
    const health = store.health();
    metrics.storeUp.set(health.state === 'up' ? 1 : 0);
    // A store outage does not make a replica unready: it answers without history.
    return { status: 'ready', config: { revision: config.current().revision }, store: health };
  });

  app.get('/metrics', { onRequest: requireAdmin }, async (_req, reply) => {
    metrics.storeUp.set(store.health().state === 'up' ? 1 : 0);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/config', { onRequest: requireAdmin }, async () => configView(config.current(), config.status?.(), store));

  app.get('/delivery', { onRequest: requireAdmin }, async () => {
    const queue = deps.queue;
    if (!queue?.depth || !queue.deadLetters) {
      const queues = (await queue?.depth?.()) ?? [];
      return { durable: false, held: queue?.size ?? 0, queues: queues.map((q) => ({ channel: q.channel, depth: q.depth, oldestWaitingSeconds: q.oldestMs / 1000 })), deadLetters: [] };
    }
    try {
      const [queues, deadLetters] = await Promise.all([queue.depth(), queue.deadLetters(100)]);
      return { durable: true, held: queue.size, queues: queues.map((q) => ({ channel: q.channel, depth: q.depth, oldestWaitingSeconds: q.oldestMs / 1000 })), deadLetters };
    } catch (err) {
      throw new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', 'the delivery queue could not be read from Redis', { cause: err });
    }
  });

  app.get<{ Params: { bot: string } }>('/bots/:bot/stats', { onRequest: requireAdmin }, async (req, reply) => {
    const bot = config.current().bots.get(req.params.bot);
    if (!bot) return sendError(reply, 'SWB_ERR_HTTP_NOT_FOUND', `unknown bot "${req.params.bot}"`);
    if (!deps.readStats) return sendError(reply, 'SWB_ERR_HTTP_NOT_FOUND', 'stats are not enabled');
    try {
      return await deps.readStats(bot);
    } catch (err) {
      throw new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', 'the stats could not be read from the store', { cause: err });
    }
  });
}

/** The `/config` answer: what is loaded, with secrets in URLs masked. */
function configView(snapshot: ConfigSnapshot, status: ConfigStatus | undefined, store: Store): Record<string, unknown> {
  return {
    version: VERSION,
    revision: snapshot.revision,
    gitCommit: snapshot.gitCommit ?? null,
    dir: snapshot.dir,
    files: snapshot.files,
    loadedAt: snapshot.loadedAt.toISOString(),
    bots: [...snapshot.bots.values()].map((b) => ({ name: b.name, channels: Object.keys(b.channels), integrations: b.integrations })),
    integrations: [...snapshot.integrations.values()].map((i) => ({ name: i.name, type: i.type, url: i.url ? redactSecrets(i.url, snapshot.secrets) : null, timeoutMs: i.timeoutMs, signed: i.signingSecrets.length > 0 })),
    lastReloadError: status?.lastReloadError ? { at: status.lastReloadError.at.toISOString(), problems: status.lastReloadError.problems } : null,
    reloads: status?.reloads ?? null,
    store: store.health(),
  };
}
