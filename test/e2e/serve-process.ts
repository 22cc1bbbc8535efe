/**
 * `switchboard serve` as a real child process (the built binary), for tests that SIGKILL
 * and restart replicas: its URL from the listening log line, its output, its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '../helpers/config-tree.js';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'runtime', 'cli.js');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  out(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Starts `serve` on a free port and resolves once it listens. */
export async function startServe(configDir: string, env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cli, 'serve', '--config', configDir, '--port', '0', '--allow-private-network'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', SWITCHBOARD_FILES_SECRET: 'test-files-secret', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  child.stderr?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1] ?? (child.exitCode !== null ? `exit:${child.exitCode}` : undefined), 20_000, 'serve to listen');
  if (url.startsWith('exit:')) throw new Error(`serve exited before listening: ${out}`);
  return {
    child,
    url,
    out: () => out,
    exited,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
