/**
 * The admin routes for one user's data: `GET /users/:channel/:userId/history[?bot=]`
 * (export) and `DELETE /users/:channel/:userId[?bot=]` (erasure). Like `/config`, they need
 * `Authorization: Bearer $SWITCHBOARD_ADMIN_TOKEN` when one is set. A store failure is a 503
 * (the caller retries; erasure is idempotent).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { exportUser, eraseUser, type UserDataDeps, type UserRef } from '../controls/user-data.js';
import { SwitchboardError } from '../core/errors.js';
import type { ChannelName } from '../core/message.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { Store } from '../store/store.js';
import { adminGuard } from './admin-auth.js';
import type { ConfigSource } from './options.js';
import { sendError } from './send-error.js';

export interface UserRouteDeps {
  config: ConfigSource;
  store: Store;
  limiter: RateLimiter;
  adminToken?: string;
}

const CHANNELS: ReadonlySet<string> = new Set<ChannelName>(['http', 'telegram', 'slack']);

type UserRequest = FastifyRequest<{ Params: { channel: string; userId: string }; Querystring: { bot?: string | string[] } }>;

/** Registers the two `/users/...` routes. */
export function registerUserRoutes(app: FastifyInstance, deps: UserRouteDeps): void {
  const requireAdmin = adminGuard(deps.adminToken);

  /** The user the request names, or undefined after answering 404/400. */
  const userOf = async (req: UserRequest, reply: FastifyReply): Promise<UserRef | undefined> => {
    const { channel, userId } = req.params;
    if (!CHANNELS.has(channel)) {
      await sendError(reply, 'SWB_ERR_HTTP_NOT_FOUND', `unknown channel "${channel}" (one of http, telegram, slack)`);
      return undefined;
    }
    const bot = req.query.bot;
    if (Array.isArray(bot) || bot === '') {
      await sendError(reply, 'SWB_ERR_HTTP_BAD_REQUEST', '"bot" must be given once, as a bot name');
      return undefined;
    }
    return { channel: channel as ChannelName, userId, ...(bot !== undefined ? { bot } : {}) };
  };

  const dataDeps = (): UserDataDeps => ({ store: deps.store, limiter: deps.limiter, snapshot: deps.config.current() });
  const storeFailure = (what: string, err: unknown): SwitchboardError =>
    err instanceof SwitchboardError && err.code === 'SWB_ERR_STORE_UNAVAILABLE' ? err : new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', `the user's data could not be ${what}`, { cause: err });

  app.get('/users/:channel/:userId/history', { onRequest: requireAdmin }, async (req: UserRequest, reply) => {
    const ref = await userOf(req, reply);
    if (!ref) return reply;
    try {
      return await exportUser(dataDeps(), ref);
    } catch (err) {
      throw storeFailure('read', err);
    }
  });

  app.delete('/users/:channel/:userId', { onRequest: requireAdmin }, async (req: UserRequest, reply) => {
    const ref = await userOf(req, reply);
    if (!ref) return reply;
    try {
      const deleted = await eraseUser(dataDeps(), ref);
      req.log.info({ channel: ref.channel, bot: ref.bot, ...deleted }, 'user data erased');
      return { deleted };
    } catch (err) {
      throw storeFailure('erased', err);
    }
  });
}
