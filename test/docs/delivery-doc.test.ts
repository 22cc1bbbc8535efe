/** docs/delivery.md tells the truth: its defaults, partition count and metric names are the code's. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_LEASE_MS, DEFAULT_SHUTDOWN_GRACE_MS, DELIVERY_LEASE_ENV, DELIVERY_MODE_ENV, SHUTDOWN_GRACE_ENV } from '../../runtime/delivery/delivery-env.js';
import { registerDeliveryMetrics } from '../../runtime/delivery/delivery-metrics.js';
import { DELIVERY_PARTITIONS, partitionBase } from '../../runtime/delivery/partition.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'delivery.md'), 'utf8');

describe('docs/delivery.md', () => {
  it('names the variables with their defaults', () => {
    expect(doc).toContain(`\`${DELIVERY_LEASE_ENV}\` (default \`${DEFAULT_DELIVERY_LEASE_MS / 1000}s\`)`);
    expect(doc).toContain(`\`${SHUTDOWN_GRACE_ENV}\` (default \`${DEFAULT_SHUTDOWN_GRACE_MS / 1000}s\`)`);
    expect(doc).toContain(`\`${DELIVERY_MODE_ENV}\``);
  });

  it('gives the partition count and key layout of the code', () => {
    expect(doc).toContain(`spread over ${DELIVERY_PARTITIONS} partitions`);
    expect(partitionBase(3)).toBe('swb:{dq:3}:');
    expect(doc).toContain('`swb:{dq:<n>}:`');
  });

  it('documents every delivery metric, and only those', async () => {
    const registry = new Registry();
    registerDeliveryMetrics(registry, async () => []);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    const documented = [...doc.matchAll(/^\| `(switchboard_delivery_[a-z_]+)\{/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(names);
  });
});
