/**
 * Prometheus metrics of the A/B experiment. The server's registry (runtime/metrics.ts)
 * already has webhook attempts (with their role, primary | fallback), latency and
 * fallbacks; these add what only routing knows: assignments and the configured weights.
 */
import { Gauge, type Registry } from 'prom-client';
import { FastCounter } from './fast-metrics.js';
import type { ResolvedBot } from '../config/snapshot.js';

export interface AbMetrics {
  /** switchboard_ab_assignments_total{bot,integration}: new sticky assignments (picks with stickiness none). */
  assignments: FastCounter<'bot' | 'integration'>;
  /** switchboard_ab_weight{bot,integration}: configured weight, read from the live snapshot at scrape time. */
  weight: Gauge<'bot' | 'integration'>;
}

/**
 * Registers the A/B metrics on `registry` (call once per registry). `bots` returns the
 * bots of the current snapshot; the weight gauge is filled from it at every scrape, so no
 * reload hook is needed.
 */
export function registerAbMetrics(registry: Registry, bots?: () => Iterable<ResolvedBot>): AbMetrics {
  const registers = [registry];
  return {
    assignments: new FastCounter({
      name: 'switchboard_ab_assignments_total',
      help: 'New A/B assignments (first pick or re-pick of a sticky user/conversation; every pick with stickiness none), by bot and integration',
      labelNames: ['bot', 'integration'],
      registers,
    }),
    weight: new Gauge({
      name: 'switchboard_ab_weight',
      help: 'Configured A/B weight by bot and integration',
      labelNames: ['bot', 'integration'],
      registers,
      collect() {
        if (!bots) return;
        this.reset();
        for (const bot of bots()) for (const e of bot.integrations) this.set({ bot: bot.name, integration: e.name }, e.weight);
      },
    }),
  };
}
