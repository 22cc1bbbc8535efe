/**
 * The routing + stats facade the message pipeline uses (it matches the pipeline's `Router`
 * interface structurally): `plan` before `beginTurn`, `decide` after it, `record` per attempt.
 */
import type { ResolvedBot } from '../config/snapshot.js';
import type { FailureClass, InboundMessage } from '../core/message.js';
import type { StatsRecorder } from '../stats/stats-recorder.js';
import { decideRoute, planRoute, type PlanOptions, type RouteDecision, type RoutePlan } from './plan.js';

/** One webhook attempt as the pipeline reports it. */
export interface AbAttemptEvent {
  integration: string;
  outcome: 'ok' | FailureClass;
  latencyMs: number;
  /** True for the first attempt (the weighted pick); false for fallbacks. */
  primary: boolean;
  /**
   * True on the primary attempt when this message created the arm: `turn.assigned`, or the
   * decision had `reassign`. With `stickiness: none` every primary attempt counts as one.
   */
  assigned: boolean;
}

export interface AbRouter {
  plan(bot: ResolvedBot, message: Pick<InboundMessage, 'channel' | 'user' | 'conversationId'>): RoutePlan;
  decide(bot: ResolvedBot, plan: RoutePlan, recorded: string | null): RouteDecision;
  record(bot: ResolvedBot, event: AbAttemptEvent): void;
}

export interface AbRouterOptions extends PlanOptions {
  /** Where assignments and attempts are counted (GET /bots/:bot/stats, Prometheus). */
  stats?: StatsRecorder;
}

/** Creates the router the pipeline calls; all state lives in the store and the recorder. */
export function createAbRouter(opts: AbRouterOptions = {}): AbRouter {
  const { stats, ...planOptions } = opts;
  return {
    plan: (bot, message) =>
      planRoute(bot, { platform: message.channel, userId: message.user.id, conversationId: message.conversationId }, planOptions),
    decide: decideRoute,
    record(bot, event) {
      if (!stats) return;
      if (event.primary && (event.assigned || bot.stickiness === 'none')) {
        stats.record({ type: 'assignment', bot: bot.name, integration: event.integration });
      }
      stats.record({
        type: 'attempt',
        bot: bot.name,
        integration: event.integration,
        fallback: !event.primary,
        outcome: event.outcome,
        latencyMs: event.latencyMs,
      });
    },
  };
}
