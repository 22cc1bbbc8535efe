/**
 * Runs the BUILT `switchboard` binary (dist/runtime/cli.js) as a child process. `ensureBuilt`
 * runs `npm run build` when dist is missing or older than any source file (under `npm test`
 * the pretest build is fresh, so it does nothing).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const cliPath = join(repoRoot, 'dist', 'runtime', 'cli.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ unless it is newer than every .ts file under runtime/ and schema/. */
export function ensureBuilt(): void {
  const sources = Math.max(newestSource(join(repoRoot, 'runtime')), newestSource(join(repoRoot, 'schema')));
  if (existsSync(cliPath) && statSync(cliPath).mtimeMs >= sources) return;
  try {
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'pipe', timeout: 180_000 });
  } catch (err) {
    // tsc still emits when another area's work in progress has type errors; the CLI is what matters.
    if (!existsSync(cliPath)) throw err;
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `node dist/runtime/cli.js ...args` with a minimal environment plus `env`. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
