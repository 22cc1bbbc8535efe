/**
 * The benchmark run behind `bench/run`: throughput against the physical limit, fixed-rate
 * latency, reload under load, config scale, and a CPU profile of the hot path. Prints a
 * Markdown report and saves it to bench/results/latest.md (and the raw numbers to
 * latest.json). Start it through `bench/run`, which builds and pins this process.
 *
 *   node --import tsx bench/main.ts [--quick] [--only throughput,fixed,reload,scale,profile,telegram,stream,inflight,telegram-inflight]
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeMainConfig, writeStreamConfig } from './lib/configs.js';
import { formatStream, streamRun, type StreamResult } from './lib/stream.js';
import { randomUsers, repliedOk, settings, userBody, type Context } from './lib/context.js';
import { closedLoop, each, paced, type LoadResult } from './lib/load.js';
import { reloadUnderLoad, type ReloadResult } from './lib/reload.js';
import { report } from './lib/report.js';
import { configScale, perMessage, wideFileScale, type PerMessageRow, type ScaleRow, type WideFileRow } from './lib/scale.js';
import { readCounter, startForwarder, startRedis, startRedisCluster, startStreamRelay, startStreamStub, startStub, startSwitchboard, type Server } from './lib/servers.js';
import { throughput, type Scenario, type ScenarioResult } from './lib/throughput.js';
import { cpuMs } from './lib/procs.js';
import { telegramDelivery, type TelegramRow } from './lib/telegram.js';
import { INFLIGHT_TARGETS, inflight, type InflightRow, type InflightTargetId } from './lib/inflight.js';
import { telegramInflight, type TelegramInflightRow } from './lib/telegram-inflight.js';
import { formatComparison, formatSummary, summarizeProfile } from './profile-summary.js';

const SECTIONS = ['throughput', 'fixed', 'profile', 'reload', 'scale', 'telegram', 'stream', 'inflight', 'telegram-inflight'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, profile: { type: 'string', default: 'forwarder,memory,redis-ab' }, scenarios: { type: 'string' }, baseline: { type: 'string' }, streams: { type: 'string' }, 'inflight-targets': { type: 'string', default: 'forwarder,memory,redis-ab,portkey' }, 'inflight-cases': { type: 'string' } } });
const PROFILE_TARGETS = ['memory', 'redis-ab', 'redis-single', 'forwarder'];
// --profile a,b: each profiled in turn; with `forwarder` among them, each Switchboard
// profile is also compared with the forwarder's, in µs per request.
const profileTargets = values.profile!.split(',').map((x) => x.trim());
for (const t of profileTargets) if (!PROFILE_TARGETS.includes(t)) throw new Error(`--profile: one or more of ${PROFILE_TARGETS.join(', ')}`);
const only = new Set((values.only ?? SECTIONS.join(',')).split(',').map((s) => s.trim()));
for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section "${s}" (known: ${SECTIONS.join(', ')})`);
const want = (s: Section): boolean => only.has(s);
const inflightTargets = values['inflight-targets']!.split(',').map((x) => x.trim()) as InflightTargetId[];
for (const t of inflightTargets) if (!Object.hasOwn(INFLIGHT_TARGETS, t)) throw new Error(`--inflight-targets: one or more of ${Object.keys(INFLIGHT_TARGETS).join(', ')}`);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const twoCores = cpus().length >= 2;
const ctx: Context = {
  root,
  tmp: join(root, 'bench/.tmp'),
  results: join(root, 'bench/results'),
  serverCpu: '0',
  loadCpu: twoCores ? '1' : '0',
  s: settings(values.quick === true),
  log: (line) => process.stderr.write(`${line}\n`),
};
// --inflight-cases 2000x1000,10000x9000: webhook ms × conversations in flight.
if (values['inflight-cases']) {
  ctx.s.inflightCases = values['inflight-cases'].split(',').map((c) => {
    const m = /^(\d+)x(\d+)$/.exec(c.trim());
    if (!m) throw new Error(`--inflight-cases: "${c}" is not <webhook ms>x<in flight>, e.g. 2000x5000`);
    return { latencyMs: Number(m[1]), inFlight: Number(m[2]) };
  });
}
mkdirSync(ctx.tmp, { recursive: true });
mkdirSync(ctx.results, { recursive: true });

const startedAt = new Date();
const t0 = performance.now();
const load0 = loadavg()[0]!;
ctx.log(`bench: ${ctx.s.quick ? 'quick' : 'full'} run, load average ${load0.toFixed(2)}, server on CPU ${ctx.serverCpu}, load generator + stub + Redis on CPU ${ctx.loadCpu}`);

export interface FixedRow {
  label: string;
  result: LoadResult;
}

const servers: Server[] = [];
const keep = <T extends Server>(s: T): T => {
  servers.push(s);
  return s;
};

let tp: ScenarioResult[] | undefined;
let abShare: number | undefined;
let fixed: FixedRow[] | undefined;
let reload: ReloadResult | undefined;
let scale: ScaleRow[] | undefined;
let wideFile: WideFileRow | undefined;
let perMsg: PerMessageRow[] | undefined;
let inflightRows: InflightRow[] | undefined;
let telegramInflightRows: TelegramInflightRow[] | undefined;
const profiles: Array<{ label: string; file: string; text: string }> = [];
const comparisons: Array<{ label: string; text: string }> = [];
let fallbackCount = 0;
let telegram: TelegramRow[] | undefined;
let clusterRatio: number | undefined;
let streaming: string | undefined;
let streamRows: StreamResult[] | undefined;

try {
  const stub = keep(await startStub(root, ctx.loadCpu, 'stub (upstream)'));
  const hook = `${stub.origin}/hook`;

  if (want('throughput') || want('fixed') || want('profile')) {
    const stubDirect = keep(await startStub(root, ctx.serverCpu, 'stub (direct)'));
    const forwarder = keep(await startForwarder(root, ctx.serverCpu, hook));
    const redis = keep(await startRedis(ctx.loadCpu));
    const mainDir = writeMainConfig(join(ctx.tmp, 'main'), hook);
    const sbMemory = keep(await startSwitchboard({ root, cpu: ctx.serverCpu, configDir: mainDir, name: 'switchboard (memory)' }));
    // One process per Redis scenario, so both idle (and warm up) the same way between runs.
    const sbRedis = keep(await startSwitchboard({ root, cpu: ctx.serverCpu, configDir: mainDir, redisUrl: redis.origin, name: 'switchboard (redis, A/B)' }));
    const sbRedisSingle = keep(await startSwitchboard({ root, cpu: ctx.serverCpu, configDir: mainDir, redisUrl: redis.origin, name: 'switchboard (redis, one integration)' }));
    const users = ctx.s.users;
    let bCount = 0;
    let abCount = 0;
    const abNext = randomUsers('/channels/http/ab', users);
    const scenarios: Scenario[] = [
      { id: 'direct', label: 'webhook stub called directly', origin: stubDirect.origin, pid: stubDirect.proc.pid, next: randomUsers('/hook', users) },
      { id: 'forwarder', label: 'bare Fastify + undici forwarder', origin: forwarder.origin, pid: forwarder.proc.pid, next: randomUsers('/forward', users) },
      { id: 'memory', label: 'Switchboard, memory store', origin: sbMemory.origin, pid: sbMemory.proc.pid, next: randomUsers('/channels/http/single', users) },
      { id: 'redis-ab', label: 'Switchboard, Redis, A/B 70/30', origin: sbRedis.origin, pid: sbRedis.proc.pid, next: abNext, sidePids: { redis: redis.proc.pid } },
      { id: 'redis-single', label: 'Switchboard, Redis, one integration', origin: sbRedisSingle.origin, pid: sbRedisSingle.proc.pid, next: randomUsers('/channels/http/single', users), sidePids: { redis: redis.proc.pid } },
    ];

    // `--baseline DIR` adds `baseline`: the memory-store scenario served by another build's
    // dist/ (copy dist/ aside before a change), interleaved with the others in the same run.
    // `--baseline DIR1,DIR2` adds `baseline` and `baseline2` (e.g. main before a change and an older build).
    for (const [k, dir] of (values.baseline ?? '').split(',').filter(Boolean).entries()) {
      const id = k === 0 ? 'baseline' : `baseline${k + 1}`;
      const sbBase = keep(await startSwitchboard({ root, cpu: ctx.serverCpu, configDir: mainDir, name: `switchboard (${id} build)`, dist: resolve(dir) }));
      scenarios.push({ id, label: `Switchboard, memory, build in ${dir}`, origin: sbBase.origin, pid: sbBase.proc.pid, next: randomUsers('/channels/http/single', users) });
    }
    // `--scenarios forwarder,memory` measures only those (quick comparisons while working).
    const picked = values.scenarios ? new Set(values.scenarios.split(',').map((x) => x.trim())) : undefined;
    // `redis-cluster`: one integration on a local 3-master Redis Cluster, measured next to
    // the same on one node (redis-single) in the same run.
    if (picked?.has('redis-cluster')) {
      const cluster = keep(await startRedisCluster(ctx.loadCpu));
      const sbCluster = keep(await startSwitchboard({ root, cpu: ctx.serverCpu, configDir: mainDir, redisClusterNodes: cluster.nodes, name: 'switchboard (redis cluster, one integration)' }));
      const side = Object.fromEntries(cluster.procs.map((p, i) => [`redis${i + 1}`, p.pid]));
      scenarios.push({ id: 'redis-cluster', label: 'Switchboard, Redis Cluster ×3, one integration', origin: sbCluster.origin, pid: sbCluster.proc.pid, next: randomUsers('/channels/http/single', users), sidePids: side });
      picked.add('redis-single');
    }
    for (const id of picked ?? []) if (!scenarios.some((sc) => sc.id === id)) throw new Error(`--scenarios: unknown "${id}" (known: ${scenarios.map((sc) => sc.id).join(', ')})`);
    const measured = picked ? scenarios.filter((sc) => picked.has(sc.id)) : scenarios;

    if (want('throughput')) {
      ctx.log(`\n== throughput: ${ctx.s.connections} connections, ${ctx.s.seconds} s × ${ctx.s.repetitions}, ${users.toLocaleString('en-US')} users picked at random per request`);
      tp = await throughput(ctx, measured);
      // How the A/B split came out: one more message from every user of the pool; the share
      // of replies naming hook-b is the share of users the sticky arms gave it.
      if (measured.some((sc) => sc.id === 'redis-ab')) {
        const everyone = Array.from({ length: users }, (_, k) => ({ path: '/channels/http/ab', body: userBody(k) }));
        await each(sbRedis.origin, everyone, ctx.s.connections, (body) => {
          abCount++;
          if (body.includes('"integration":"hook-b"')) bCount++;
        });
        abShare = abCount > 0 ? bCount / abCount : undefined;
      }
      const single = tp.find((t) => t.id === 'redis-single');
      const onCluster = tp.find((t) => t.id === 'redis-cluster');
      if (single && onCluster) {
        clusterRatio = onCluster.rps / single.rps;
        ctx.log(`  Redis Cluster ×3 vs one node: ${(clusterRatio * 100).toFixed(1)} % of the throughput (aim ≥ 85 %)`);
      }
      for (const sb of [sbMemory, sbRedis, sbRedisSingle]) {
        const m = await readCounter(sb.origin, 'switchboard_messages_total');
        for (const [labels, v] of Object.entries(m)) if (labels.includes('fallback_message')) fallbackCount += v;
      }
    }

    if (want('fixed')) {
      ctx.log(`\n== fixed rate: ${ctx.s.fixedRate} req/s for ${ctx.s.fixedSeconds} s (open loop)`);
      fixed = [];
      for (const sc of scenarios.filter((s) => s.id !== 'redis-single')) {
        await closedLoop({ origin: sc.origin, connections: ctx.s.connections, seconds: want('throughput') ? ctx.s.warmupSeconds : ctx.s.primeSeconds, next: sc.next });
        const result = await paced({ origin: sc.origin, rate: ctx.s.fixedRate, seconds: ctx.s.fixedSeconds, connections: ctx.s.connections, next: sc.next, verify: repliedOk });
        fixed.push({ label: sc.label, result });
        ctx.log(`  ${sc.label.padEnd(34)} ${Math.round(result.rps)} req/s  p50 ${result.p50.toFixed(3)} ms  p99 ${result.p99.toFixed(3)} ms  failed ${result.failed}`);
      }
    }

    if (want('profile')) {
      const profiled: Array<{ id: string; label: string; file: string; usPerReq: number }> = [];
      for (const id of profileTargets) {
        const target = scenarios.find((sc) => sc.id === id)!;
        ctx.log(`\n== profile: ${target.label} under --cpu-prof for ${ctx.s.profileSeconds} s`);
        const dir = join(ctx.results, 'profile', id);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        const profArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
        const sbProf =
          target.id === 'forwarder'
            ? await startForwarder(root, ctx.serverCpu, hook, profArgs)
            : await startSwitchboard({
                root,
                cpu: ctx.serverCpu,
                configDir: mainDir,
                ...(target.id === 'memory' ? {} : { redisUrl: redis.origin }),
                name: 'switchboard (profiled)',
                nodeArgs: profArgs,
              });
        let usPerReq = NaN;
        try {
          await closedLoop({ origin: sbProf.origin, connections: ctx.s.connections, seconds: ctx.s.primeSeconds, next: target.next });
          const c0 = cpuMs(sbProf.proc.pid);
          const r = await closedLoop({ origin: sbProf.origin, connections: ctx.s.connections, seconds: ctx.s.profileSeconds, next: target.next });
          usPerReq = ((cpuMs(sbProf.proc.pid) - c0) * 1000) / Math.max(1, r.ok + r.failed);
        } finally {
          await sbProf.proc.stop(15_000);
        }
        // The main thread's profile is the largest (a loader worker writes a small one too).
        const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
        if (!file) ctx.log('  no .cpuprofile was written');
        else {
          profiled.push({ id, label: target.label, file, usPerReq });
          const text = formatSummary(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), 20));
          profiles.push({ label: `${target.label}, ${usPerReq.toFixed(0)} µs CPU per request while profiled`, file: file.slice(root.length + 1), text });
          ctx.log(text.split('\n').map((l) => `  ${l}`).join('\n'));
        }
      }
      const fwdProf = profiled.find((p) => p.id === 'forwarder');
      for (const p of profiled.filter((x) => x.id !== 'forwarder')) {
        if (!fwdProf) break;
        const text = formatComparison(
          { name: 'forwarder', profile: JSON.parse(readFileSync(fwdProf.file, 'utf8')), usPerReq: fwdProf.usPerReq },
          { name: p.label, profile: JSON.parse(readFileSync(p.file, 'utf8')), usPerReq: p.usPerReq },
        );
        comparisons.push({ label: `forwarder vs ${p.label}`, text });
        ctx.log(`\n== where the extra CPU goes: forwarder vs ${p.label}\n${text.split('\n').map((l) => `  ${l}`).join('\n')}`);
      }
    }

    for (const s of [sbMemory, sbRedis, sbRedisSingle, forwarder, stubDirect, redis]) {
      await s.proc.stop();
      servers.splice(servers.indexOf(s), 1);
    }
  }

  if (want('telegram')) {
    ctx.log('\n== Telegram channel: durable queue vs in-process queue (both on one Redis store)');
    const redis = keep(await startRedis(ctx.loadCpu));
    telegram = await telegramDelivery(ctx, hook, redis.origin);
    await redis.proc.stop();
    servers.splice(servers.indexOf(redis), 1);
  }

  if (want('inflight')) {
    ctx.log(`\n== in flight: ${ctx.s.inflightCases.map((c) => `${c.latencyMs / 1000} s webhook × ${c.inFlight.toLocaleString('en-US')} in flight`).join(', ')}; open loop, ${ctx.s.inflightRampSeconds} s ramp, ${ctx.s.inflightSeconds} s measured`);
    const redis = keep(await startRedis(ctx.loadCpu));
    inflightRows = await inflight(ctx, ctx.s.inflightCases, inflightTargets, redis.origin);
    await redis.proc.stop();
    servers.splice(servers.indexOf(redis), 1);
  }

  if (want('telegram-inflight')) {
    const c = ctx.s.telegramInflightCase;
    ctx.log(`\n== Telegram channel in flight: ${c.latencyMs / 1000} s webhook × ${c.inFlight.toLocaleString('en-US')} in flight; in-process and durable queues`);
    const redis = keep(await startRedis(ctx.loadCpu));
    telegramInflightRows = await telegramInflight(ctx, c.latencyMs, c.inFlight, redis.origin);
    await redis.proc.stop();
    servers.splice(servers.indexOf(redis), 1);
  }

  if (want('reload')) {
    ctx.log(`\n== reload under load: ${ctx.s.reloadChanges} config changes, ${ctx.s.connections} connections`);
    reload = await reloadUnderLoad(ctx);
    ctx.log(`  ${reload.requests} requests, failed ${reload.load.failed}, missed ${reload.missed}; reload-to-live p50 ${reload.p50.toFixed(1)} ms, p99 ${reload.p99.toFixed(1)} ms, max ${reload.max.toFixed(1)} ms`);
  }

  if (want('scale')) {
    ctx.log('\n== config scale');
    scale = await configScale(ctx, hook);
    wideFile = await wideFileScale(ctx);
    ctx.log('== per-message cost vs config size');
    perMsg = await perMessage(ctx, hook);
  }
  if (want('stream')) {
    // N concurrent streams (`--streams`, default 1,000; 200 with --quick) of 200 deltas 20 ms apart.
    const streams = Number(values.streams ?? (ctx.s.quick ? 200 : 1000));
    const deltas = 200;
    const interval = 20;
    ctx.log(`\n== streaming: ${streams} concurrent streams × ${deltas} deltas, ${interval} ms apart`);
    const sse = keep(await startStreamStub(root, ctx.loadCpu, deltas, interval));
    const relay = keep(await startStreamRelay(root, ctx.serverCpu, `${sse.origin}/hook`));
    const sbStream = keep(await startSwitchboard({ root, cpu: ctx.serverCpu, configDir: writeStreamConfig(join(ctx.tmp, 'stream'), `${sse.origin}/hook`), name: 'switchboard (streaming)' }));
    const targets = [
      { id: 'relay' as const, label: 'bare Fastify + undici SSE relay', url: `${relay.origin}/relay`, pid: relay.proc.pid },
      { id: 'switchboard' as const, label: 'Switchboard, memory store', url: `${sbStream.origin}/channels/http/stream`, pid: sbStream.proc.pid },
    ];
    streamRows = [];
    for (const t of targets) {
      // A short warm-up, then the measured run.
      await streamRun(t, Math.min(50, streams), 200, (i) => userBody(100_000 + i));
      const r = await streamRun(t, streams, 1000, (i) => userBody(i));
      streamRows.push(r);
      ctx.log(`  ${t.label.padEnd(34)} ${r.deltas} deltas  ${Math.round(r.deltasPerSecond)}/s  cpu ${r.cpuUsPerDelta.toFixed(1)} µs/delta  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  rss ${r.rssMb.toFixed(0)} MB  failed ${r.failed}`);
    }
    streaming = formatStream(streamRows, deltas, interval);
  }
} finally {
  for (const s of servers.reverse()) await s.proc.stop();
}

const machine = {
  nproc: cpus().length,
  cpu: /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown',
  node: process.version,
  loadBefore: load0,
  loadAfter: loadavg()[0]!,
};
let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { cwd: root, encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}
const markdown = report({
  startedAt,
  seconds: (performance.now() - t0) / 1000,
  command: ['bench/run', ...process.argv.slice(2)].join(' '),
  commit,
  machine,
  ctx,
  throughput: tp,
  abShare,
  clusterRatio,
  fallbackCount,
  fixed,
  reload,
  scale,
  wideFile,
  perMessage: perMsg,
  inflight: inflightRows,
  telegramInflight: telegramInflightRows,
  profiles,
  comparisons,
  telegram,
  ...(streaming ? { streaming } : {}),
});
writeFileSync(join(ctx.results, 'latest.md'), markdown);
writeFileSync(
  join(ctx.results, 'latest.json'),
  JSON.stringify({ startedAt, machine, commit, settings: ctx.s, throughput: tp, abShare, clusterRatio, fallbackCount, fixed, reload, scale, wideFile, perMessage: perMsg, telegram, streaming: streamRows, inflight: inflightRows, telegramInflight: telegramInflightRows }, null, 2),
);
process.stdout.write(`\n${markdown}\n`);
ctx.log(`saved bench/results/latest.md and latest.json (${Math.round((performance.now() - t0) / 1000)} s)`);
// autocannon can leave a timer behind after stop(); everything we started is stopped.
process.exit(0);
