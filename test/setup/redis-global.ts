/**
 * Vitest global setup: gives each run a directory where test/helpers/redis.ts records the
 * pid of every redis-server it starts, and at the end of the run kills any server still
 * listed (a worker that crashed or was killed could not stop its own). Runs of other
 * engineers in the same tree have their own directory, so their servers are never touched.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'swb-test-redis-'));
  project.provide('swbRedisPidDir', dir);
  return () => {
    for (const name of readdirSync(dir)) {
      const pid = Number(name);
      if (Number.isInteger(pid) && pid > 1 && isRedisServer(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Guards against pid reuse: only a process that still is a redis-server gets killed. */
function isRedisServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
}
