/**
 * A server (`buildServer` + `inject`) for the conversation-control tests: real store and
 * limiter (memory or Redis, chosen by the test), the real A/B router (so assignments are
 * recorded), and a stub webhook that answers `reply: <text>` (or `replyText` when set) and
 * records every payload.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ConfigSnapshot, ResolvedBot, ResolvedCommand } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import type { CallIntegration } from '../../runtime/pipeline/pipeline.js';
import type { RateLimiter } from '../../runtime/rate-limit/rate-limiter.js';
import { createAbRouter } from '../../runtime/routing/ab-router.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import type { Store } from '../../runtime/store/store.js';
import { lastUserText, type InjectResponse } from '../channels/channel.contract.js';
import { bot as makeBot, integration, snapshot as makeSnapshot } from '../helpers/snapshot.js';

export interface ControlsWorld {
  app: SwitchboardApp;
  snapshot: ConfigSnapshot;
  payloads: WebhookRequest[];
  /** When set, the webhook answers this instead of `reply: <text>`. */
  webhook: { replyText?: string };
  /** POSTs a message to the HTTP channel of `bot` (default `support`). */
  say(userId: string, text: string, opts?: { conversationId?: string; bot?: string }): Promise<InjectResponse>;
}

/** Commands written as in YAML. */
export function commands(map: Record<string, ResolvedCommand>): ReadonlyMap<string, ResolvedCommand> {
  return new Map(Object.entries(map));
}

/** The `support` bot (HTTP channel) with `over`, for `buildControlsWorld`. */
export function supportBot(over: Partial<ResolvedBot> = {}): ResolvedBot {
  return makeBot('support', over);
}

export async function buildControlsWorld(opts: { bots: ResolvedBot[]; store: Store; limiter?: RateLimiter; adminToken?: string; logger?: FastifyBaseLogger }): Promise<ControlsWorld> {
  const payloads: WebhookRequest[] = [];
  const webhook: ControlsWorld['webhook'] = {};
  const call: CallIntegration = async (_integration, payload) => {
    payloads.push(payload);
    return { ok: true, reply: { content: webhook.replyText ?? `reply: ${lastUserText(payload)}` }, status: 200, latencyMs: 1, retried: false };
  };
  const snapshot = makeSnapshot(opts.bots, [integration('primary')]);
  const app = await buildServer({
    config: { current: () => snapshot },
    store: opts.store,
    router: createAbRouter(),
    call,
    ...(opts.limiter ? { limiter: opts.limiter } : {}),
    ...(opts.adminToken ? { adminToken: opts.adminToken } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const say: ControlsWorld['say'] = (userId, text, o = {}) =>
    app.inject({
      method: 'POST',
      url: `/channels/http/${o.bot ?? 'support'}`,
      payload: { user: { id: userId }, text, ...(o.conversationId !== undefined ? { conversation_id: o.conversationId } : {}) },
    });
  return { app, snapshot, payloads, webhook, say };
}
