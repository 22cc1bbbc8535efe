/** Hand-built snapshots for server/pipeline unit tests (the loader has its own tests). */
import type { ConfigSnapshot, ResolvedBot, ResolvedIntegration } from '../../runtime/config/snapshot.js';
import { DEFAULT_FALLBACK_MESSAGE } from '../../runtime/config/snapshot.js';

export function integration(name: string, over: Partial<ResolvedIntegration> = {}): ResolvedIntegration {
  return { name, type: 'custom', url: `http://127.0.0.1:1/${name}`, headers: {}, timeoutMs: 2000, signingSecrets: [], source: { file: 'test.yaml', line: 1 }, ...over };
}

export function bot(name: string, over: Partial<ResolvedBot> = {}): ResolvedBot {
  return {
    name,
    displayName: name,
    contextWindow: 10,
    channels: { http: {} },
    integrations: [{ name: 'primary', weight: 1, fallback: false }],
    stickiness: 'user',
    fallbackMessage: DEFAULT_FALLBACK_MESSAGE,
    commands: new Map(),
    historyTtlMs: 7 * 86_400_000,
    format: 'markdown',
    source: { file: 'test.yaml', line: 1 },
    ...over,
  };
}

export function snapshot(bots: ResolvedBot[], integrations: ResolvedIntegration[], over: Partial<ConfigSnapshot> = {}): ConfigSnapshot {
  return {
    revision: 'test',
    dir: 'test',
    files: ['test.yaml'],
    loadedAt: new Date(0),
    bots: new Map(bots.map((b) => [b.name, b])),
    integrations: new Map(integrations.map((i) => [i.name, i])),
    secrets: [],
    allowPrivateNetwork: true,
    ...over,
  };
}
