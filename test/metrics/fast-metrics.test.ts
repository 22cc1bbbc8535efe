import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from '../../runtime/metrics/fast-metrics.js';

/** Feeds the same events to prom-client's own metric and to ours; the exposition must be identical. */
describe('FastCounter / FastHistogram', () => {
  it('expose exactly what prom-client Counter exposes for the same increments', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const opts = { name: 'x_total', help: 'help with "quotes" and \\ backslash', labelNames: ['bot', 'outcome'] as const };
    const a = new FastCounter({ ...opts, registers: [ours] });
    const b = new Counter({ ...opts, labelNames: [...opts.labelNames], registers: [theirs] });
    const events: Array<[{ bot: string; outcome: string }, number]> = [
      [{ bot: 'support', outcome: 'ok' }, 1],
      [{ bot: 'support', outcome: 'timeout' }, 1],
      [{ bot: 'support', outcome: 'ok' }, 2],
      [{ bot: 'we"ird\nbot', outcome: 'ok' }, 1],
      [{ bot: 'sales', outcome: 'ok' }, 0.5],
    ];
    for (const [labels, by] of events) {
      a.inc(labels, by);
      b.inc(labels, by);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(() => a.inc({ bot: 'x', outcome: 'ok' }, -1)).toThrow(/cannot decrease/);
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('expose exactly what prom-client Histogram exposes for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    const opts = { name: 'lat_seconds', help: 'latency', labelNames: ['bot', 'integration'] as const, buckets };
    const a = new FastHistogram({ ...opts, registers: [ours] });
    const b = new Histogram({ ...opts, labelNames: [...opts.labelNames], registers: [theirs] });
    const values = [0, 0.005, 0.0051, 0.01, 0.3, 0.7, 1, 2.5, 9.99, 10, 10.01, 300, 0.042];
    values.forEach((v, i) => {
      const labels = { bot: i % 2 ? 'a' : 'b', integration: i % 3 ? 'x' : 'y' };
      a.observe(labels, v);
      b.observe(labels, v);
    });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(() => a.observe({ bot: 'a', integration: 'x' }, Number.NaN)).toThrow(/finite/);
  });

  it('refuses a second metric of the same name on one registry, as prom-client does', () => {
    const r = new Registry();
    new FastCounter({ name: 'dup_total', help: 'h', labelNames: ['a'], registers: [r] });
    expect(() => new Counter({ name: 'dup_total', help: 'h', registers: [r] })).toThrow(/already been registered/);
  });
});
