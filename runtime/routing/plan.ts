/**
 * A/B routing for one message, in two pure steps around the store's `beginTurn`:
 *
 * ```ts
 * const plan = planRoute(bot, { platform: msg.channel, userId: msg.user.id, conversationId: msg.conversationId });
 * let recorded: string | null = null;
 * try {
 *   const turn = await store.beginTurn({ historyKey, limit: bot.contextWindow, assignment: plan.assignment });
 *   recorded = turn.assignment;                      // the claimed or existing arm
 * } catch { recorded = null; }                       // store down: the hash keeps users stable
 * const route = decideRoute(bot, plan, recorded);
 * if (route.reassign && plan.assignment) await store.setAssignment(plan.assignment.key, route.reassign, plan.assignment.ttlSeconds);
 * for (const name of route.order) { ... try it; stop at the first good reply ... }
 * ```
 */
import { createHash } from 'node:crypto';
import type { ResolvedBot } from '../config/snapshot.js';
import { DEFAULT_ASSIGNMENT_TTL_SECONDS } from '../store/defaults.js';
import { stickyHash } from './sticky-hash.js';
import { weightTable } from './weights.js';

/** Who is talking, as far as stickiness cares. */
export interface RouteContext {
  /** The channel name (`http`, `telegram`, `slack`): user ids are only unique per platform. */
  platform: string;
  userId: string;
  conversationId: string;
}

/** Computed before the store round trip. */
export interface RoutePlan {
  /**
   * Pass as `assignment` to `store.beginTurn`: it claims `candidate` under `key` unless an
   * arm is already recorded. Absent with `stickiness: none` or when no entry has weight > 0.
   */
  assignment?: { key: string; candidate: string; ttlSeconds: number };
  /**
   * The pick when nothing is recorded: the deterministic weighted hash of bot + sticky key
   * (the same on every replica and during a store outage), or a random pick with
   * `stickiness: none`. Undefined when no entry has weight > 0.
   */
  candidate: string | undefined;
}

/** Computed after the store round trip. */
export interface RouteDecision {
  /** Integrations to try in order: the primary, then `fallback: true` entries in config order, primary skipped. */
  order: string[];
  /** The weighted pick (order[0]), or undefined when no entry has weight > 0 (order is then fallbacks only). */
  primary: string | undefined;
  /**
   * Set when the recorded arm lost its weight (weight 0 or removed from the bot) and the
   * primary is a re-pick: record it with `store.setAssignment(plan.assignment.key, reassign, ttl)`.
   */
  reassign?: string;
}

export interface PlanOptions {
  /** Assignment TTL, sliding (default 30 days). */
  assignmentTtlSeconds?: number;
  /** Random source for `stickiness: none` (default Math.random). */
  random?: () => number;
}

/** Sticky ids longer than this are hashed in the store key, so a huge id cannot make a huge key. */
const MAX_KEY_ID_LENGTH = 200;

/**
 * The sticky key of a message: `user:<platform>:<userId>` (stickiness `user`),
 * `conversation:<platform>:<conversationId>` (`conversation`), undefined for `none`.
 * The platform is part of both because ids are only unique per platform.
 */
export function stickyKey(bot: Pick<ResolvedBot, 'stickiness'>, ctx: RouteContext): string | undefined {
  switch (bot.stickiness) {
    case 'user':
      return `user:${ctx.platform}:${ctx.userId}`;
    case 'conversation':
      return `conversation:${ctx.platform}:${ctx.conversationId}`;
    default:
      return undefined;
  }
}

/** The store key of a sticky assignment: `a:<bot>:<sticky key>` (long keys hashed). */
export function assignmentKey(botName: string, key: string): string {
  const id = key.length > MAX_KEY_ID_LENGTH ? `#${createHash('sha256').update(key).digest('hex')}` : key;
  return `a:${botName}:${id}`;
}

/**
 * Step 1, before `beginTurn`: the sticky key and the deterministic candidate to claim.
 * Costs one sha256 and a binary search over the bot's precomputed weight table (nothing
 * when only one arm has weight > 0).
 */
export function planRoute(bot: ResolvedBot, ctx: RouteContext, opts: PlanOptions = {}): RoutePlan {
  const table = weightTable(bot);
  const key = stickyKey(bot, ctx);
  if (key === undefined) return { candidate: table.pick((opts.random ?? Math.random)()) };
  // With one weighted arm the hash cannot change the pick: skip it (the arm is still recorded,
  // so these users stay on it when a second arm is added later).
  const candidate = table.weighted.length === 1 ? table.weighted[0]!.name : table.pick(stickyHash(bot.name, key));
  if (candidate === undefined) return { candidate };
  return {
    candidate,
    assignment: { key: assignmentKey(bot.name, key), candidate, ttlSeconds: opts.assignmentTtlSeconds ?? DEFAULT_ASSIGNMENT_TTL_SECONDS },
  };
}

/**
 * Step 2, after `beginTurn`: turns the recorded arm (`turn.assignment`, or null when the
 * store is down or stickiness is `none`) into the ordered attempt list. A recorded arm is
 * kept while it has weight > 0 — even when the weights changed since it was recorded;
 * otherwise the plan's candidate (a re-pick over the current weights) becomes the primary
 * and `reassign` tells the caller to record it.
 */
export function decideRoute(bot: ResolvedBot, plan: RoutePlan, recorded: string | null): RouteDecision {
  const table = weightTable(bot);
  let primary: string | undefined;
  let reassign: string | undefined;
  if (recorded !== null && table.weightOf(recorded) > 0) primary = recorded;
  else {
    primary = plan.candidate !== undefined && table.weightOf(plan.candidate) > 0 ? plan.candidate : undefined;
    if (recorded !== null && primary !== undefined && primary !== recorded && plan.assignment) reassign = primary;
  }
  const order = primary === undefined ? [...table.fallbacks] : [primary, ...table.fallbacks.filter((f) => f !== primary)];
  return reassign === undefined ? { order, primary } : { order, primary, reassign };
}
