/**
 * The Switchboard config trees the benchmark serves, written as plain YAML files.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Env the bench configs reference (the webhook token is a `${VAR}` like a real secret). */
export const BENCH_ENV = { BENCH_WEBHOOK_TOKEN: 'bench-token-not-a-secret' };

function integration(name: string, url: string, timeout = '10s'): string {
  return `apiVersion: switchboard/v1
kind: Integration
name: ${name}
type: custom
url: ${url}
headers:
  Authorization: Bearer \${BENCH_WEBHOOK_TOKEN}
timeout: ${timeout}
`;
}

function fresh(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The throughput tree: bot `single` (one integration) and bot `ab` (two integrations,
 * weights 70/30, sticky per user), both with the default contextWindow (10) and history.
 * `timeout` is the integrations' (longer than the stub's delay in the in-flight section).
 */
export function writeMainConfig(dir: string, webhookUrl: string, timeout = '10s'): string {
  fresh(dir);
  writeFileSync(join(dir, 'integrations.yaml'), `${integration('hook-a', webhookUrl, timeout)}---\n${integration('hook-b', webhookUrl, timeout)}`);
  writeFileSync(
    join(dir, 'bots.yaml'),
    `apiVersion: switchboard/v1
kind: Bot
name: single
displayName: Single
channels:
  http: {}
integrations:
  - name: hook-a
---
apiVersion: switchboard/v1
kind: Bot
name: ab
displayName: A/B
stickiness: user
channels:
  http: {}
integrations:
  - name: hook-a
    weight: 70
  - name: hook-b
    weight: 30
`,
  );
  return dir;
}

/** The reload tree: integrations in one file, bot `reload` in `bot.yaml` (rewritten by `writeReloadBot`). */
export function writeReloadConfig(dir: string, webhookUrl: string): string {
  fresh(dir);
  writeFileSync(join(dir, 'integrations.yaml'), `${integration('echo-a', webhookUrl)}---\n${integration('echo-b', webhookUrl)}`);
  writeReloadBot(dir, 'rev-0', 50);
  return dir;
}

/**
 * Rewrites `bot.yaml` atomically (write a dot-file, which the loader skips, then rename):
 * a new displayName (the webhook sees it as `bot.name`) and weights `weightA` / 100 - weightA.
 */
export function writeReloadBot(dir: string, displayName: string, weightA: number): void {
  const tmp = join(dir, '.bot.yaml.tmp');
  writeFileSync(
    tmp,
    `apiVersion: switchboard/v1
kind: Bot
name: reload
displayName: ${displayName}
stickiness: user
channels:
  http: {}
integrations:
  - name: echo-a
    weight: ${weightA}
  - name: echo-b
    weight: ${100 - weightA}
`,
  );
  renameSync(tmp, join(dir, 'bot.yaml'));
}

/** Name of the k-th integration / bot of a scale tree (`i-00042`, `b-00042`). */
export const scaleName = (prefix: 'i' | 'b', k: number): string => `${prefix}-${String(k).padStart(5, '0')}`;

/**
 * A tree of `n` files, each one Integration `i-NNNNN` and one Bot `b-NNNNN` using it: `n`
 * integrations and `n` bots, the way a team keeping one file per bot would grow.
 */
export function writeScaleConfig(dir: string, n: number, webhookUrl: string): string {
  fresh(dir);
  for (let k = 0; k < n; k++) {
    const i = scaleName('i', k);
    writeFileSync(
      join(dir, `${i}.yaml`),
      `${integration(i, webhookUrl)}---
apiVersion: switchboard/v1
kind: Bot
name: ${scaleName('b', k)}
displayName: Bot ${k}
channels:
  http: {}
integrations:
  - name: ${i}
`,
    );
  }
  return dir;
}

/**
 * One file of about 1 MiB holding one integration with `keys` header entries: the shape
 * that made validation quadratic (the YAML library compared every key with every other).
 */
export function writeWideFileConfig(dir: string, keys: number): string {
  fresh(dir);
  const lines = ['apiVersion: switchboard/v1', 'kind: Integration', 'name: wide', 'type: custom', 'url: https://wide.example.com/hook', 'headers:'];
  for (let k = 0; k < keys; k++) lines.push(`  x-wide-header-${String(k).padStart(5, '0')}: value-${String(k).padStart(5, '0')}-abcdefghijkl`);
  writeFileSync(join(dir, 'wide.yaml'), `${lines.join('\n')}\n`);
  return dir;
}

/** The streaming tree: bot `stream` whose one integration streams (`stream: true`) from `webhookUrl`. */
export function writeStreamConfig(dir: string, webhookUrl: string): string {
  fresh(dir);
  writeFileSync(join(dir, 'integrations.yaml'), `${integration('hook-stream', webhookUrl).replace('timeout: 10s', 'timeout: 2m')}stream: true\n`);
  writeFileSync(
    join(dir, 'bots.yaml'),
    `apiVersion: switchboard/v1
kind: Bot
name: stream
channels:
  http: {}
integrations:
  - name: hook-stream
`,
  );
  return dir;
}
