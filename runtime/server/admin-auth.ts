/**
 * Admin authentication: the admin token as `Authorization: Bearer TOKEN`, or as the
 * password of HTTP Basic auth (any user name), so a browser can open the dashboard with its
 * own login prompt. Without a configured token the admin routes are open, as they have
 * always been (a runtime reachable only inside its cluster); set SWITCHBOARD_ADMIN_TOKEN
 * anywhere else.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../core/errors.js';
import { safeEqual } from '../core/safe-equal.js';

/** True when `authorization` carries `token` as a Bearer token or as the Basic-auth password. */
export function adminAuthorized(authorization: string | undefined, token: string): boolean {
  if (!authorization) return false;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer?.[1]) return safeEqual(bearer[1], token);
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization);
  if (!basic?.[1]) return false;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && safeEqual(decoded.slice(colon + 1), token);
}

/** The realm browsers show in their login prompt. */
export const BASIC_CHALLENGE = 'Basic realm="Switchboard admin", charset="UTF-8"';

/**
 * An onRequest hook that answers 401 unless the request is authorized. `challenge`: add
 * `WWW-Authenticate: Basic` so a browser prompts (the dashboard's routes).
 */
export function adminGuard(token: string | undefined, opts: { challenge?: boolean } = {}) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!token || adminAuthorized(req.headers.authorization, token)) return;
    if (opts.challenge) void reply.header('www-authenticate', BASIC_CHALLENGE);
    await reply.code(401).send(errorBody('SWB_ERR_HTTP_UNAUTHORIZED', 'this route needs the admin token: Authorization: Bearer $SWITCHBOARD_ADMIN_TOKEN, or as the Basic-auth password'));
  };
}
