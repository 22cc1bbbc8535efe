/**
 * An open-loop load generator with a ramp, for slow (AI-shaped) webhooks: request i has an
 * intended send time fixed in advance (the rate climbs linearly from 0 over `rampSeconds`,
 * then stays at `rate`), it is sent at that time whether or not earlier ones answered, and
 * its latency is measured from that intended time, so a stalled server or a late client
 * shows up in the latency instead of silently lowering the load (no coordinated omission).
 * Every request gets a connection of its own (an undici Pool without a connection cap), the
 * way thousands of separate users would connect.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { Latencies } from './load.js';

export interface OpenLoopOptions {
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** The body of request `i`. */
  body(i: number): string;
  /** Requests per second once the ramp is over. */
  rate: number;
  rampSeconds: number;
  /** Seconds of schedule after the ramp. */
  seconds: number;
  /** Requests whose intended time falls in [from, to) (seconds since start) are the measured ones. */
  window: { from: number; to: number };
  /** A request not answered within this many ms counts as failed. */
  timeoutMs: number;
  verify(body: string): boolean;
  /** Called every ~250 ms with the seconds since start and the requests in flight. */
  onTick?(t: number, inFlight: number): void;
  /** Called once at the start and once at the end of the window. */
  onWindow?(edge: 'start' | 'end'): void;
}

export interface OpenLoopResult {
  sent: number;
  ok: number;
  failed: number;
  /** The first few distinct failure reasons (status or error message). */
  reasons: string[];
  /** Replies (ok) completed inside the window, per second. */
  windowRps: number;
  /** Latencies (ms, from intended time to end of body) of the requests scheduled in the window. */
  latencies: Latencies;
  /** Event-loop delay of the load generator itself during the run (ms): high means the client, not the server, was late. */
  clientLoopDelayP99: number;
}

/** Intended send time (seconds) of request `i` under a linear ramp to `rate` over `ramp` seconds. */
export function intendedTime(i: number, rate: number, ramp: number): number {
  const rampCount = (rate * ramp) / 2;
  if (ramp > 0 && i < rampCount) return Math.sqrt((2 * ramp * i) / rate);
  return ramp + (i - rampCount) / rate;
}

/** Runs the schedule and waits for every request to finish or time out. */
export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(o.origin, { connections: null, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs });
  const lat = new Latencies();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const reasons = new Set<string>();
  let ok = 0;
  let failed = 0;
  let windowOk = 0;
  let inFlight = 0;
  const total = Math.floor((o.rate * o.rampSeconds) / 2 + o.rate * o.seconds);
  const started = performance.now();
  const windowStart = started + o.window.from * 1000;
  const windowEnd = started + o.window.to * 1000;
  let pending = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const fail = (why: string): void => {
    failed++;
    if (reasons.size < 5) reasons.add(why);
  };

  const fire = (i: number, at: number): void => {
    const measured = at >= windowStart && at < windowEnd;
    inFlight++;
    pending++;
    pool
      .request({ method: 'POST', path: o.path, headers: o.headers, body: o.body(i) })
      .then(async (res) => {
        const text = await res.body.text();
        const end = performance.now();
        if (measured) lat.add(end - at);
        if (res.statusCode >= 200 && res.statusCode < 300 && o.verify(text)) {
          ok++;
          if (end >= windowStart && end < windowEnd) windowOk++;
        } else fail(`HTTP ${res.statusCode}: ${text.slice(0, 120)}`);
      })
      .catch((err: unknown) => fail(err instanceof Error ? `${err.name}: ${err.message}` : String(err)))
      .finally(() => {
        inFlight--;
        if (--pending === 0 && sent === total) allDone();
      });
  };

  let sent = 0;
  let nextTick = started;
  let windowEdge: 'none' | 'start' | 'end' = 'none';
  /** Calls onTick every ~250 ms and onWindow once at each edge of the window; true once the window has ended. */
  const observe = (now: number): boolean => {
    if (now >= nextTick) {
      o.onTick?.((now - started) / 1000, inFlight);
      nextTick = now + 250;
    }
    if (windowEdge === 'none' && now >= windowStart) {
      windowEdge = 'start';
      o.onWindow?.('start');
    }
    if (windowEdge === 'start' && now >= windowEnd) {
      windowEdge = 'end';
      o.onWindow?.('end');
    }
    return windowEdge === 'end';
  };
  while (sent < total) {
    const now = performance.now();
    while (sent < total) {
      const at = started + intendedTime(sent, o.rate, o.rampSeconds) * 1000;
      if (at > now) break;
      fire(sent, at);
      sent++;
    }
    observe(now);
    if (sent >= total) break;
    const wait = started + intendedTime(sent, o.rate, o.rampSeconds) * 1000 - performance.now();
    if (wait >= 1) await sleep(Math.min(Math.floor(wait), 50));
    else await new Promise<void>((r) => setImmediate(r));
  }
  // The window may end after the last send (a short schedule): keep ticking until then.
  for (;;) {
    const ended = observe(performance.now());
    if (pending === 0 && ended) break;
    await Promise.race([done, sleep(50)]);
  }
  loop.disable();
  await pool.close();
  return { sent, ok, failed, reasons: [...reasons], windowRps: windowOk / (o.window.to - o.window.from), latencies: lat, clientLoopDelayP99: loop.percentile(99) / 1e6 };
}
