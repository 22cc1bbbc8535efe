/**
 * What the pipeline needs from routing: a plan before the store round trip (sticky key and
 * the deterministic candidate to claim), the ordered attempt list after it, and a hook to
 * record the experiment's outcome. `createAbRouter` implements it.
 */
import type { ResolvedBot } from '../config/snapshot.js';
import type { InboundMessage } from '../core/message.js';
import type { AbAttemptEvent } from './ab-router.js';
import type { RouteDecision, RoutePlan } from './plan.js';

export type { RouteDecision, RoutePlan } from './plan.js';
export type AttemptEvent = AbAttemptEvent;

export interface Router {
  plan(bot: ResolvedBot, message: InboundMessage): RoutePlan;
  decide(bot: ResolvedBot, plan: RoutePlan, recorded: string | null): RouteDecision;
  record(bot: ResolvedBot, event: AttemptEvent): void;
}
