/** A ResolvedBot for routing/stats tests: only the fields routing reads matter. */
import type { ResolvedBot } from '../../runtime/config/snapshot.js';

export function makeBot(
  integrations: Array<{ name: string; weight: number; fallback?: boolean }>,
  stickiness: ResolvedBot['stickiness'] = 'user',
  name = 'support',
): ResolvedBot {
  return {
    name,
    displayName: name,
    contextWindow: 10,
    channels: { http: {} },
    integrations: integrations.map((i) => ({ name: i.name, weight: i.weight, fallback: i.fallback ?? false })),
    stickiness,
    fallbackMessage: 'sorry',
    commands: new Map(),
    historyTtlMs: 7 * 86_400_000,
    format: 'markdown',
    source: { file: 'test.yaml', line: 1 },
  };
}

/** A small deterministic PRNG (mulberry32), so "random" tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
