/**
 * Reload under load: while autocannon keeps N connections busy against bot `reload`, the
 * bot's file is rewritten atomically `changes` times (new displayName, new weights). The
 * echo stub answers with the payload's `bot.name`, so every response says which config
 * served it. Reload-to-live = rename() done → first response carrying the new name.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeReloadBot, writeReloadConfig } from './configs.js';
import { randomUsers, type Context } from './context.js';
import { closedLoop, type LoadResult } from './load.js';
import { startStub, startSwitchboard } from './servers.js';
import { percentile } from './stats.js';
import { join } from 'node:path';

export interface ReloadResult {
  changes: number;
  /** Changes never seen live within the timeout. */
  missed: number;
  latenciesMs: number[];
  p50: number;
  p99: number;
  max: number;
  load: LoadResult;
  requests: number;
}

const LIVE_TIMEOUT_MS = 5000;

export async function reloadUnderLoad(ctx: Context): Promise<ReloadResult> {
  const stub = await startStub(ctx.root, ctx.loadCpu, 'stub (echo bot.name)', true);
  const dir = writeReloadConfig(join(ctx.tmp, 'reload'), `${stub.origin}/hook`);
  const sb = await startSwitchboard({ root: ctx.root, cpu: ctx.serverCpu, configDir: dir, name: 'switchboard (reload)' });
  try {
    const waiting = new Map<string, () => void>();
    const seen = new Set<string>();
    const onBody = (body: string): void => {
      // {"content":"rev-17","integration":"echo-a"}
      const end = body.indexOf('"', 12);
      const name = body.slice(12, end);
      if (seen.has(name)) return;
      seen.add(name);
      waiting.get(name)?.();
    };
    const verify = (body: string): boolean => body.startsWith('{"content":"rev-') && !body.includes('"error"');
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const latencies: number[] = [];
    let missed = 0;

    const writer = (async () => {
      await sleep(1000);
      for (let i = 1; i <= ctx.s.reloadChanges; i++) {
        const name = `rev-${i}`;
        const live = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), LIVE_TIMEOUT_MS);
          waiting.set(name, () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        writeReloadBot(dir, name, i % 2 === 0 ? 70 : 30);
        const t0 = performance.now();
        const ok = await live;
        waiting.delete(name);
        if (ok) latencies.push(performance.now() - t0);
        else missed++;
        // A random pause, so writes do not line up with the watcher's debounce or rescan.
        await sleep(20 + Math.random() * 60);
      }
      await sleep(500);
      done();
    })();

    const load = await closedLoop({
      origin: sb.origin,
      connections: ctx.s.connections,
      seconds: 600,
      next: randomUsers('/channels/http/reload', ctx.s.users),
      verify,
      onBody,
      until: finished,
    });
    await writer;
    return {
      changes: ctx.s.reloadChanges,
      missed,
      latenciesMs: latencies,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: Math.max(...latencies),
      load,
      requests: load.ok + load.failed,
    };
  } finally {
    await sb.proc.stop();
    await stub.proc.stop();
  }
}
