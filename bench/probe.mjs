// Bench-only preload (`node --import ./bench/probe.mjs …`) for the server under test: samples
// the event loop's delay with perf_hooks and, on SIGUSR2, writes what it saw since the last
// signal (event-loop delay in ms, heap and RSS in bytes) as JSON to $BENCH_PROBE_FILE, then
// starts over. Plain JavaScript so the product runs without a TypeScript loader; it adds no
// route and touches nothing of the product.
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let seq = 0;
  process.on('SIGUSR2', () => {
    const ms = (ns) => ns / 1e6;
    const m = process.memoryUsage();
    const out = { seq: ++seq, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(h.mean), heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers };
    writeFileSync(`${file}.tmp`, JSON.stringify(out));
    renameSync(`${file}.tmp`, file);
    h.reset();
  });
}
