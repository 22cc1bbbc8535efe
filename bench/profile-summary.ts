/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`) as text: the functions with the most
 * self time, self time grouped by area (a package, a Switchboard folder, Node internals, GC),
 * and the inclusive time of Switchboard's own functions. Percentages are of the busy time
 * (idle excluded).
 *
 *   node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  topSelf: Row[];
  byArea: Row[];
  switchboardInclusive: Row[];
}

/** Where a frame's code lives: `switchboard <folder>`, an npm package, `node` internals, or a V8 pseudo-frame. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : 'native (V8 builtins)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node (core)';
  const own = /\/(?:dist\/)?(runtime|schema)\/(?:([^/]+)\/)?[^/]+$/.exec(url);
  if (own) return own[2] ? `switchboard ${own[1]}/${own[2]}` : `switchboard ${own[1]}`;
  return url;
}

function label(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const short = frame.url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*?\/(dist\/)?(runtime|schema)\//, '$2/');
  return `${name} ${short}:${frame.lineNumber + 1}`;
}

/** Reads and summarises one profile. */
export function summarizeProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfByNode = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    // timeDeltas[i] is the time before sample i; attribute the gap after it to it instead.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + dt);
  }
  let idleMs = 0;
  let busyMs = 0;
  const self = new Map<string, number>();
  const area = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of selfByNode) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const key = label(frame);
    self.set(key, (self.get(key) ?? 0) + ms);
    const a = areaOf(frame);
    area.set(a, (area.get(a) ?? 0) + ms);
    // Inclusive time of Switchboard functions: each function once per stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!areaOf(f).startsWith('switchboard')) continue;
      const k = label(f);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  }
  const rows = (m: Map<string, number>, n: number): Row[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms, share: busyMs > 0 ? ms / busyMs : 0 }));
  return { busyMs, idleMs, topSelf: rows(self, top), byArea: rows(area, 20), switchboardInclusive: rows(inclusive, 15) };
}

/** Self time per function label and per area, in ms, idle excluded. */
export function selfTimes(profile: CpuProfile): { busyMs: number; byLabel: Map<string, number>; byArea: Map<string, number> } {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const byLabel = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busyMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i]!)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    busyMs += ms;
    const l = label(frame);
    byLabel.set(l, (byLabel.get(l) ?? 0) + ms);
    const a = areaOf(frame);
    byArea.set(a, (byArea.get(a) ?? 0) + ms);
  }
  return { busyMs, byLabel, byArea };
}

/**
 * Where the extra CPU per request goes: two profiles (the forwarder and a Switchboard
 * scenario) scaled to µs per request with each run's measured CPU per request, side by
 * side by area and by function (largest differences first).
 */
export function formatComparison(base: { name: string; profile: CpuProfile; usPerReq: number }, other: { name: string; profile: CpuProfile; usPerReq: number }, top = 25): string {
  const a = selfTimes(base.profile);
  const b = selfTimes(other.profile);
  const us = (t: ReturnType<typeof selfTimes>, perReq: number, m: Map<string, number>, k: string): number => ((m.get(k) ?? 0) / t.busyMs) * perReq;
  const lines = [`µs of CPU per request: ${base.name} ${base.usPerReq.toFixed(0)}, ${other.name} ${other.usPerReq.toFixed(0)} (difference ${(other.usPerReq - base.usPerReq).toFixed(0)})`, ''];
  const table = (title: string, ma: Map<string, number>, mb: Map<string, number>, n: number): void => {
    const keys = new Set([...ma.keys(), ...mb.keys()]);
    const rows = [...keys].map((k) => ({ k, x: us(a, base.usPerReq, ma, k), y: us(b, other.usPerReq, mb, k) })).sort((r1, r2) => r2.y - r2.x - (r1.y - r1.x));
    lines.push(title, `  ${'forwarder'.padStart(9)} ${'switchbd'.padStart(9)} ${'extra'.padStart(7)}`);
    for (const r of rows.slice(0, n)) lines.push(`  ${r.x.toFixed(2).padStart(9)} ${r.y.toFixed(2).padStart(9)} ${(r.y - r.x).toFixed(2).padStart(7)}  ${r.k}`);
    lines.push('');
  };
  table('By area (µs per request):', a.byArea, b.byArea, 16);
  table('By function, largest extra first (µs per request):', a.byLabel, b.byLabel, top);
  return lines.join('\n').trimEnd();
}

/** Renders a summary as plain text (for the terminal and a fenced block in the report). */
export function formatSummary(s: ProfileSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)} %`;
  const lines = [`busy ${Math.round(s.busyMs)} ms, idle ${Math.round(s.idleMs)} ms`, '', 'Top self time:'];
  for (const r of s.topSelf) lines.push(`  ${pct(r.share)}  ${r.name}`);
  lines.push('', 'Self time by area:');
  for (const r of s.byArea) lines.push(`  ${pct(r.share)}  ${r.name}`);
  lines.push('', 'Inclusive time of Switchboard functions:');
  for (const r of s.switchboardInclusive) lines.push(`  ${pct(r.share)}  ${r.name}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: profile-summary.ts FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const topIdx = process.argv.indexOf('--top');
  const top = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 25;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatSummary(summarizeProfile(profile, top))}\n`);
}
