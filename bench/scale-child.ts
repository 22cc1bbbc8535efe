/**
 * One measurement of config scale, in a fresh process so memory numbers are its own:
 *
 *   node --expose-gc --import tsx bench/scale-child.ts validate DIR
 *   node --expose-gc --import tsx bench/scale-child.ts load DIR
 *   node --expose-gc --import tsx bench/scale-child.ts stall DIR
 *
 * `validate` times `validateDirs([DIR])` (what CI runs). `load` times a cold
 * `createConfigLoader().load(DIR)` (what `serve` does at start), then a reload after one file
 * changed (what a hot reload costs: one stat per file, one file parsed), and reports the RSS
 * and the heap retained by the snapshot. `stall` loads DIR twice, parsing inline and on the
 * worker thread a server uses, and reports the longest event-loop stall of each (the longest
 * gap between ticks of a 5 ms timer). Prints one JSON line. Imports the runtime sources (through tsx).
 */
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createConfigLoader } from '../runtime/config/loader.js';
import { createThreadParser, OFF_THREAD_MIN_CHARS } from '../runtime/config/thread-parser.js';
import { validateDirs } from '../runtime/config/validate.js';
import { BENCH_ENV } from './lib/configs.js';

const [mode, dir] = process.argv.slice(2);
if ((mode !== 'validate' && mode !== 'load' && mode !== 'stall') || !dir) {
  process.stderr.write('usage: scale-child.ts validate|load|stall DIR\n');
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const env = { ...process.env, ...BENCH_ENV };
const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

gc();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;

/** The longest gap between ticks of a 5 ms interval while `work` runs. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let gap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 5);
  await work();
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(tick);
  return gap;
}

if (mode === 'stall') {
  const inlineMs = await longestStall(() => createConfigLoader().load(dir, { env, allowPrivateNetwork: true }));
  const parser = createThreadParser();
  // The worker's start belongs to the first reload only; start it before measuring.
  await parser.parse(`${'#'.repeat(OFF_THREAD_MIN_CHARS)}\n`);
  const workerMs = await longestStall(() => createConfigLoader({ parser }).load(dir, { env, allowPrivateNetwork: true }));
  await parser.close();
  process.stdout.write(`${JSON.stringify({ mode, inlineMs, workerMs })}\n`);
} else if (mode === 'validate') {
  const t0 = performance.now();
  const problems = await validateDirs([dir], { env, allowPrivateNetwork: true });
  const ms = performance.now() - t0;
  if (problems.length > 0) throw new Error(`bench config is invalid: ${JSON.stringify(problems.slice(0, 3))}`);
  process.stdout.write(`${JSON.stringify({ mode, ms, peakRssMb: mb(process.resourceUsage().maxRSS * 1024) })}\n`);
} else {
  const loader = createConfigLoader();
  const t0 = performance.now();
  const result = await loader.load(dir, { env, allowPrivateNetwork: true });
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(`bench config is invalid: ${JSON.stringify(result.problems.slice(0, 3))}`);
  gc();
  const heapHeld = process.memoryUsage().heapUsed - heapBefore;
  const rss = process.memoryUsage().rss;
  // A hot reload after one file changed (the loader re-reads only what changed).
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  appendFileSync(join(dir, files[0]!), '# touched\n');
  const t1 = performance.now();
  const again = await loader.load(dir, { env, allowPrivateNetwork: true });
  const reloadMs = performance.now() - t1;
  if (!again.ok) throw new Error('reload failed');
  process.stdout.write(
    `${JSON.stringify({
      mode,
      ms,
      reloadMs,
      integrations: result.snapshot.integrations.size,
      bots: result.snapshot.bots.size,
      rssMb: mb(rss),
      rssGrowthMb: mb(rss - rssBefore),
      heapHeldMb: mb(heapHeld),
      keep: result.snapshot.revision,
    })}\n`,
  );
}
