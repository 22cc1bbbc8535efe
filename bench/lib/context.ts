/**
 * What every benchmark section shares: settings, CPU layout, the user pool, logging.
 */
import type { Target } from './load.js';

export interface Settings {
  quick: boolean;
  connections: number;
  /** Seconds of load per measured run. */
  seconds: number;
  /** Seconds of unmeasured load on each server before its first measured run (JIT, heap sizing, store filled). */
  primeSeconds: number;
  /** Seconds of unmeasured load before each measured run. */
  warmupSeconds: number;
  /** Seconds per measured run of the per-message (config size) test. */
  perMessageSeconds: number;
  repetitions: number;
  /** Fixed-rate test: requests per second and duration. */
  fixedRate: number;
  fixedSeconds: number;
  reloadChanges: number;
  scaleSizes: number[];
  perMessageSizes: [number, number];
  profileSeconds: number;
  users: number;
  /** In-flight section: ramp and measured seconds per case, and the cases (webhook ms × conversations in flight). */
  inflightRampSeconds: number;
  inflightSeconds: number;
  inflightCases: Array<{ latencyMs: number; inFlight: number }>;
  /** The Telegram-channel in-flight case (no caller socket per conversation, so 10,000 fit). */
  telegramInflightCase: { latencyMs: number; inFlight: number };
}

/**
 * 9,000 rather than 10,000: each conversation in flight holds two sockets in the server
 * (caller and webhook), the load generator keeps idle keep-alive connections besides, and
 * this machine's hard `ulimit -n` is 20,000. At 9,500 the forwarder and Switchboard with
 * Redis ran out of descriptors (EMFILE) in one of two runs on 2026-12-01.
 */
const MOST_IN_FLIGHT = 9_000;

/**
 * Webhook latency × conversations in flight. The arrival rate is in-flight / latency, and the
 * server has one core: in this open-loop shape even the bare forwarder spends 0.65–0.9 ms of
 * CPU per reply (every event wakes an idle loop; measured 2026-12-01), so rates much above
 * 1,000/s overload every target and measure overload, not holding. Hence 5,000 and 9,000 in
 * flight behind a 10 s webhook (500/s and 900/s), and 1,000 behind a 2 s one (500/s).
 */
const INFLIGHT_CASES = [
  { latencyMs: 2000, inFlight: 1000 },
  { latencyMs: 10_000, inFlight: 5000 },
  { latencyMs: 10_000, inFlight: MOST_IN_FLIGHT },
];

export function settings(quick: boolean): Settings {
  return quick
    ? { quick, connections: 50, seconds: 3, primeSeconds: 2, warmupSeconds: 1, perMessageSeconds: 3, repetitions: 1, fixedRate: 1000, fixedSeconds: 3, reloadChanges: 20, scaleSizes: [100, 1000, 10000], perMessageSizes: [10, 10000], profileSeconds: 3, users: 10_000, inflightRampSeconds: 4, inflightSeconds: 3, inflightCases: [{ latencyMs: 10_000, inFlight: 5000 }], telegramInflightCase: { latencyMs: 10_000, inFlight: 2000 } }
    : { quick, connections: 50, seconds: 10, primeSeconds: 2, warmupSeconds: 2, perMessageSeconds: 8, repetitions: 3, fixedRate: 1000, fixedSeconds: 6, reloadChanges: 100, scaleSizes: [100, 1000, 10000], perMessageSizes: [10, 10000], profileSeconds: 8, users: 10_000, inflightRampSeconds: 4, inflightSeconds: 8, inflightCases: INFLIGHT_CASES, telegramInflightCase: { latencyMs: 10_000, inFlight: 10_000 } };
}

export interface Context {
  root: string;
  /** Scratch directory for config trees (bench/.tmp, git-ignored). */
  tmp: string;
  /** Results directory (bench/results, git-ignored). */
  results: string;
  /** CPU of the measured server; CPU of the load generator, stub and Redis. */
  serverCpu: string;
  loadCpu: string;
  s: Settings;
  log(line: string): void;
}

const TEXT = 'Hello! Can you tell me the opening hours of the store on Saturday?';

/** The body of the `k`-th user of the pool (the HTTP channel's JSON). */
export function userBody(k: number): string {
  return `{"user":{"id":"user-${k}","name":"User ${k}"},"text":"${TEXT}"}`;
}

/** Requests to `path` from a random user of a pool of `users` (bodies built once). */
export function randomUsers(path: string, users: number): () => Target {
  const bodies = Array.from({ length: users }, (_, k) => userBody(k));
  return () => ({ path, body: bodies[(Math.random() * users) | 0]! });
}

/** A reply of the stub relayed unchanged (`{"content":"ok"...}`); Switchboard's fallback message is not. */
export const repliedOk = (body: string): boolean => body.startsWith('{"content":"ok"');
