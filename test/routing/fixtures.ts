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

export { seededRandom } from '../helpers/seeded-random.js';
