/**
 * What the pipeline needs from routing: a plan before the store round trip (sticky key and
 * the deterministic candidate to claim), the ordered attempt list after it, and a hook to
 * record the experiment's outcome. `createRouter` adapts runtime/routing + runtime/stats.
 */
import type { ResolvedBot } from '../config/snapshot.js';
import type { FailureClass, InboundMessage } from '../core/message.js';

export interface RoutePlan {
  /** Present with stickiness user/conversation: claim `candidate` under `key` unless one is recorded. */
  assignment?: { key: string; candidate: string; ttlSeconds: number };
  /** The pick when nothing is recorded (deterministic for sticky bots, random for `none`). */
  candidate: string | undefined;
}

export interface RouteDecision {
  /** Integration names to try in order: the primary, then fallbacks (primary skipped). */
  order: string[];
  /** The weighted pick (order[0]); undefined when no entry has weight > 0 (order is then fallbacks only). */
  primary: string | undefined;
  /** Set when the recorded assignment lost its weight and a re-pick must be recorded. */
  reassign?: string;
}

export interface AttemptEvent {
  integration: string;
  outcome: 'ok' | FailureClass;
  latencyMs: number;
  /** False for fallback attempts. */
  primary: boolean;
  /** True when this message created the user's assignment. */
  assigned: boolean;
}

export interface Router {
  plan(bot: ResolvedBot, message: InboundMessage): RoutePlan;
  decide(bot: ResolvedBot, plan: RoutePlan, recorded: string | null): RouteDecision;
  record(bot: ResolvedBot, event: AttemptEvent): void;
}

export function routeMessage(router: Router, bot: ResolvedBot, plan: RoutePlan, recorded: string | null): RouteDecision {
  return router.decide(bot, plan, recorded);
}
