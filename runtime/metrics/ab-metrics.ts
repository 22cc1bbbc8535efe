/**
 * Prometheus metrics of the A/B experiment. The server's registry (runtime/metrics.ts)
 * already has webhook attempts (with their role, primary | fallback), latency and
 * fallbacks; these add what only routing knows: assignments and the configured weights.
 */
import { Gauge, type Registry } from 'prom-client';
import { FastCounter } from './fast-metrics.js';
import type { ResolvedBot } from '../config/snapshot.js';
import type { SrmResult } from '../stats/srm.js';

export interface AbMetrics {
  /** switchboard_ab_assignments_total{bot,integration}: new sticky assignments (picks with stickiness none). */
  assignments: FastCounter<'bot' | 'integration'>;
  /** switchboard_ab_weight{bot,integration}: configured weight, read from the live snapshot at scrape time. */
  weight: Gauge<'bot' | 'integration'>;
  /** switchboard_ab_srm_p_value{bot}: p-value of the sample-ratio-mismatch test, for bots where it could run. */
  srmPValue: Gauge<'bot'>;
}

/**
 * Registers the A/B metrics on `registry` (call once per registry). `bots` returns the
 * bots of the current snapshot; the weight gauge is filled from it at every scrape, so no
 * reload hook is needed.
 */
export function registerAbMetrics(registry: Registry, bots?: () => Iterable<ResolvedBot>, srm?: (bot: ResolvedBot) => Promise<SrmResult>): AbMetrics {
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
    srmPValue: new Gauge({
      name: 'switchboard_ab_srm_p_value',
      help: 'P-value of the chi-square sample-ratio-mismatch test of A/B assignments against the weights (below 0.001: mismatch); only bots with 8+ assignments on every weighted arm',
      labelNames: ['bot'],
      registers,
      // Reads the shared counters at scrape time (one store read per bot with more than one weighted arm).
      async collect() {
        if (!bots || !srm) return;
        this.reset();
        const multiArm = [...bots()].filter((b) => b.integrations.filter((e) => e.weight > 0).length > 1);
        const results = await Promise.all(multiArm.map((b) => srm(b).then((r) => [b.name, r] as const, () => undefined)));
        for (const r of results) if (r?.[1].checked && r[1].pValue !== null) this.set({ bot: r[0] }, r[1].pValue);
      },
    }),
  };
}
