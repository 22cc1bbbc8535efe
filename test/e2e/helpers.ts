/** Helpers for end-to-end tests: a config dir on disk, a captured pino logger, a runtime. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../runtime/runtime.js';

export interface LogCapture {
  logger: Logger;
  text(): string;
}

/** A pino logger whose JSON lines are kept in memory. */
export function captureLogs(level = 'debug'): LogCapture {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { logger: pino({ level }, stream), text: () => lines.join('') };
}

export async function configDir(files: Record<string, string>): Promise<{ dir: string; write(name: string, text: string): Promise<void>; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'swb-e2e-'));
  const write = async (name: string, text: string): Promise<void> => {
    const tmp = join(dir, `.${name}.tmp`);
    await writeFile(tmp, text);
    await rename(tmp, join(dir, name)); // atomic, as editors and git do
  };
  for (const [name, text] of Object.entries(files)) await write(name, text);
  return { dir, write, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts a runtime that does not listen (drive it with `runtime.app.inject`). */
export function runtimeFor(dir: string, env: NodeJS.ProcessEnv, over: Partial<RuntimeOptions> = {}): Promise<Runtime> {
  return startRuntime({ configDir: dir, env, allowPrivateNetwork: true, listen: false, watch: false, logger: pino({ level: 'silent' }), ...over });
}

export function chat(runtime: Runtime, bot: string, body: unknown, headers: Record<string, string> = {}) {
  return runtime.app.inject({ method: 'POST', url: `/channels/http/${bot}`, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
}

export { waitFor } from '../helpers/config-tree.js';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'runtime', 'cli.js');

/** Runs the built `switchboard serve ARGS` as a child process with a minimal env; collects its output. */
export function startServe(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}
