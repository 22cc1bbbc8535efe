/**
 * Per-message counters and histograms for the hot path, served by prom-client's registry.
 *
 * prom-client validates and hashes the label object on every `inc`/`observe` (sorting,
 * string building, a lookup); with six of them per message that was ~2 µs, as much as the
 * routing. These keep one cell per label combination, found by a single key string, and
 * hand prom-client the finished values when /metrics is scraped (`get()`, the shape its
 * Registry formats). The exposition format is unchanged: same names, labels and buckets.
 */
import type { Registry } from 'prom-client';

type Labels<L extends string> = Record<L, string>;

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

interface MetricSnapshot {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

interface Options<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: Registry[];
}

/** Label values joined in `labelNames` order (unit separator: not valid in our label values' sources). */
function keyOf<L extends string>(labelNames: readonly L[], labels: Labels<L>): string {
  let key = labels[labelNames[0] as L] ?? '';
  for (let i = 1; i < labelNames.length; i++) key += `\u001f${labels[labelNames[i] as L] ?? ''}`;
  return key;
}

abstract class FastMetric<L extends string, Cell> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  protected readonly cells = new Map<string, { labels: Labels<L>; cell: Cell }>();

  constructor(opts: Options<L>) {
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames;
    // registerMetric takes prom-client's Metric type; the registry only calls get() and reads name.
    for (const r of opts.registers) r.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  protected cellFor(labels: Labels<L>): Cell {
    const key = keyOf(this.labelNames, labels);
    let entry = this.cells.get(key);
    if (!entry) {
      const copy = {} as Labels<L>;
      for (const n of this.labelNames) copy[n] = String(labels[n] ?? '');
      entry = { labels: copy, cell: this.newCell() };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  protected abstract newCell(): Cell;
  abstract get(): Promise<MetricSnapshot>;

  reset(): void {
    this.cells.clear();
  }
}

/** A monotonically increasing counter (`prom-client` Counter semantics, `inc` only). */
export class FastCounter<L extends string> extends FastMetric<L, { value: number }> {
  inc(labels: Labels<L>, by = 1): void {
    if (!(by >= 0)) throw new RangeError(`${this.name}: a counter cannot decrease (got ${by})`);
    this.cellFor(labels).value += by;
  }

  protected newCell(): { value: number } {
    return { value: 0 };
  }

  async get(): Promise<MetricSnapshot> {
    const values: MetricValue[] = [];
    for (const { labels, cell } of this.cells.values()) values.push({ labels: { ...labels }, value: cell.value });
    return { name: this.name, help: this.help, type: 'counter', values, aggregator: 'sum' };
  }
}

interface HistogramCell {
  counts: Float64Array;
  sum: number;
  count: number;
}

/** A histogram with fixed upper bounds (`le`), cumulative in the output like prom-client's. */
export class FastHistogram<L extends string> extends FastMetric<L, HistogramCell> {
  readonly buckets: readonly number[];

  constructor(opts: Options<L> & { buckets: readonly number[] }) {
    super(opts);
    this.buckets = [...opts.buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels<L>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: value is not a finite number: ${value}`);
    const cell = this.cellFor(labels);
    const b = this.buckets;
    let i = 0;
    while (i < b.length && value > (b[i] as number)) i++;
    if (i < b.length) (cell.counts[i] as number) += 1;
    cell.sum += value;
    cell.count += 1;
  }

  protected newCell(): HistogramCell {
    return { counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
  }

  async get(): Promise<MetricSnapshot> {
    const values: MetricValue[] = [];
    for (const { labels, cell } of this.cells.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += cell.counts[i] as number;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...labels }, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }
}
