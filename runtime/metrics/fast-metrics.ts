/**
 * Per-message counters and histograms for the hot path, served by prom-client's registry.
 *
 * prom-client validates and hashes the label object on every `inc`/`observe` (sorting,
 * string building, a lookup), six times per message. These keep one cell per label combination, found through one Map per label, and
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

abstract class FastMetric<L extends string, Cell> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** All cells, in creation order (what `get()` reports). */
  protected readonly cells: Array<{ labels: Labels<L>; cell: Cell }> = [];
  /** One Map level per label, keyed by its value: label values mostly come from config, so their string hashes are cached and no key string is built per call. */
  #index = new Map<string, unknown>();

  constructor(opts: Options<L>) {
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames;
    // registerMetric takes prom-client's Metric type; the registry only calls get() and reads name.
    for (const r of opts.registers) r.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  protected cellFor(labels: Labels<L>): Cell {
    const names = this.labelNames;
    let level = this.#index;
    const last = names.length - 1;
    for (let i = 0; i < last; i++) {
      const v = labels[names[i] as L] ?? '';
      let next = level.get(v) as Map<string, unknown> | undefined;
      if (!next) {
        next = new Map();
        level.set(v, next);
      }
      level = next;
    }
    const v = labels[names[last] as L] ?? '';
    let cell = level.get(v) as Cell | undefined;
    if (!cell) {
      const copy = {} as Labels<L>;
      for (const n of names) copy[n] = String(labels[n] ?? '');
      cell = this.newCell();
      this.cells.push({ labels: copy, cell });
      level.set(v, cell);
    }
    return cell;
  }

  protected abstract newCell(): Cell;
  abstract get(): Promise<MetricSnapshot>;

  reset(): void {
    this.cells.length = 0;
    this.#index = new Map();
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
    for (const { labels, cell } of this.cells) values.push({ labels: { ...labels }, value: cell.value });
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
    for (const { labels, cell } of this.cells) {
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
