/**
 * The two load generators of the benchmark, run inside the (pinned) orchestrator:
 * - `closedLoop`: autocannon, N connections each sending its next request as soon as the
 *   previous one answered (throughput);
 * - `paced`: an open-loop generator at a fixed rate (latency at a moderate load). autocannon's
 *   `--overallRate` is not used there: it lets each connection send its per-second quota
 *   back to back at the start of every second, so "1,000 req/s" is really a burst at full
 *   speed followed by silence, and the latency it reports is the latency under saturation.
 * Both record every latency as a float (autocannon's own histogram keeps whole milliseconds).
 */
import autocannon, { type AutocannonRequest } from 'autocannon';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

/** One request to send: the path and the JSON body. */
export interface Target {
  path: string;
  body: string;
}

export interface LoadResult {
  /** Responses that were 2xx and passed `verify`. */
  ok: number;
  /** Non-2xx responses, failed `verify`, connection errors and timeouts. */
  failed: number;
  /** Wall-clock duration of the measurement, in seconds. */
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

/** Collects float latencies (ms) and answers percentiles. */
export class Latencies {
  private values = new Float64Array(1 << 16);
  private n = 0;
  add(ms: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = ms;
  }
  get count(): number {
    return this.n;
  }
  /** The q-quantile (0..1), nearest rank; NaN when empty. */
  percentile(q: number): number {
    if (this.n === 0) return NaN;
    const sorted = this.values.slice(0, this.n).sort();
    return sorted[Math.min(this.n - 1, Math.max(0, Math.ceil(q * this.n) - 1))]!;
  }
}

export interface ClosedLoopOptions {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  connections: number;
  seconds: number;
  next: () => Target;
  /** A 2xx body that fails this check counts as failed (e.g. Switchboard's fallback message). */
  verify?: (body: string) => boolean;
  /** Sees every response body (the reload test watches for a new config). */
  onBody?: (body: string) => void;
  /** Stops early once this resolves (the reload test stops when its changes are done). */
  until?: Promise<unknown>;
}

/** Runs autocannon with `connections` connections for `seconds` seconds. */
export function closedLoop(opts: ClosedLoopOptions): Promise<LoadResult> {
  const lat = new Latencies();
  let ok = 0;
  let bad = 0;
  const request: AutocannonRequest = {
    method: 'POST',
    setupRequest(req) {
      const t = opts.next();
      req.path = t.path;
      req.body = t.body;
      return req;
    },
    onResponse(status, body) {
      if (status >= 200 && status < 300 && (!opts.verify || opts.verify(body))) ok++;
      else bad++;
      opts.onBody?.(body);
    },
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: opts.origin,
        connections: opts.connections,
        duration: opts.seconds,
        timeout: 10,
        headers: { 'content-type': 'application/json' },
        requests: [request],
      },
      (err, result) => {
        if (err) return reject(err);
        const seconds = (performance.now() - started) / 1000;
        const failed = bad + result.errors; // autocannon counts timeouts among errors
        resolve({ ok, failed, seconds, rps: ok / seconds, p50: lat.percentile(0.5), p99: lat.percentile(0.99) });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      lat.add(ms);
    });
    void opts.until?.then(() => instance.stop());
  });
}

export interface PacedOptions {
  origin: string;
  /** Requests per second, spread evenly (open loop: sending does not wait for answers). */
  rate: number;
  seconds: number;
  /** Connection pool size (requests beyond it queue in the pool, and that wait is counted). */
  connections: number;
  next: () => Target;
  verify?: (body: string) => boolean;
}

/** Sends `rate` requests per second for `seconds`, each timed from send to the end of its body. */
export async function paced(opts: PacedOptions): Promise<LoadResult> {
  const pool = new Pool(opts.origin, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const lat = new Latencies();
  let ok = 0;
  let failed = 0;
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  const fire = (): void => {
    const t = opts.next();
    const t0 = performance.now();
    const p = pool
      .request({ method: 'POST', path: t.path, headers: { 'content-type': 'application/json' }, body: t.body })
      .then(async (res) => {
        const body = await res.body.text();
        lat.add(performance.now() - t0);
        if (res.statusCode >= 200 && res.statusCode < 300 && (!opts.verify || opts.verify(body))) ok++;
        else failed++;
      })
      .catch(() => {
        failed++;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const total = Math.round(opts.rate * opts.seconds);
  const started = performance.now();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * opts.rate) / 1000) + 1);
    while (sent < due) {
      fire();
      sent++;
    }
    // Sleep until the next request is due (timers have ~1 ms resolution).
    const nextAt = started + (sent * 1000) / opts.rate;
    const wait = nextAt - performance.now();
    if (wait >= 1) await sleep(Math.floor(wait));
    else await new Promise<void>((r) => setImmediate(r));
  }
  await Promise.all([...inflight]);
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { ok, failed, seconds, rps: ok / seconds, p50: lat.percentile(0.5), p99: lat.percentile(0.99) };
}

/** Sends every target once (`concurrency` at a time) and hands each 2xx body to `onBody`; resolves with the number of failures. */
export async function each(origin: string, targets: readonly Target[], concurrency: number, onBody: (body: string, i: number) => void): Promise<number> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i]!;
      try {
        const res = await pool.request({ method: 'POST', path: t.path, headers: { 'content-type': 'application/json' }, body: t.body });
        const body = await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) onBody(body, i);
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.close();
  return failed;
}
