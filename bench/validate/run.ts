/**
 * Validate benchmark: generates trees of 1,000 and 10,000 realistic ~30-line config files and
 * reports, per size, the bare `yaml` parse time of the same files (read + parseAllDocuments +
 * toJS) against a full `validateDirs` (walk, hash, parse, schema, every check, env
 * resolution), peak RSS of each, and the time to re-load the tree with a warm loader after one
 * file changed.
 *
 *   npx tsx bench/validate/run.ts [--sizes 1000,10000] [--runs 3]
 *
 * Each measurement runs in its own child process, so peak RSS and JIT state do not leak
 * between them; each child does one unmeasured warm-up run, then --runs measured runs, and
 * reports their median. On a shared machine, run it when the machine is otherwise idle.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { createConfigLoader } from '../../runtime/config/loader.js';
import { validateDirs } from '../../runtime/config/validate.js';

const env: NodeJS.ProcessEnv = {
  OPENAI_API_KEY: 'sk-bench',
  TELEGRAM_TOKEN_0: '1:a',
  TELEGRAM_TOKEN_1: '2:b',
  TELEGRAM_TOKEN_2: '3:c',
  TELEGRAM_SECRET: 'tg-secret',
  HTTP_TOKEN: 'http-token',
};

/** One realistic file: an Integration and the Bot that uses it (30 lines). */
function file(i: number, n: number): string {
  return `# yaml-language-server: $schema=../integrations.schema.json
apiVersion: switchboard/v1
kind: Integration
name: team-${i}-gpt
type: openai
url: https://api.openai.com/v1/chat/completions
headers:
  Authorization: Bearer \${OPENAI_API_KEY}
  X-Team: team-${i % 97}
model: gpt-4o-mini
maxTokens: 512
temperature: 0.3
timeout: 30s
---
apiVersion: switchboard/v1
kind: Bot
name: team-${i}
displayName: Team ${i} assistant
systemPrompt: You are a concise assistant for team ${i}. Answer briefly.
channels:
  http:
    token: \${HTTP_TOKEN}
  telegram:
    token: \${TELEGRAM_TOKEN_${i % 3}}
    secretToken: \${TELEGRAM_SECRET}
integrations:
  - name: team-${i}-gpt
    weight: 90
  - name: team-${(i + 1) % n}-gpt
    weight: 10
    fallback: true
`;
}

function generate(root: string, n: number): string {
  const dir = join(root, `tree-${n}`);
  for (let i = 0; i < n; i++) {
    const sub = join(dir, `group-${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `team-${i}.yaml`), file(i, n));
  }
  return dir;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => join(e.parentPath, e.name));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Measured {
  ms: number;
  minMs: number;
  maxRssMb: number;
}

/** Child-process measurements; print one JSON line. */
async function child(kind: string, dir: string, runs: number): Promise<void> {
  const times: number[] = [];
  const extra: Record<string, number> = {};
  if (kind === 'parse-once' || kind === 'validate-once') {
    // One run in a fresh process: its peak RSS is the honest memory figure.
    const t = performance.now();
    if (kind === 'parse-once') for (const f of listFiles(dir)) for (const d of parseAllDocuments(readFileSync(f, 'utf8')) as ReturnType<typeof parseAllDocuments> & unknown[]) d.toJS();
    else await validateDirs([dir], { env, requireEnv: true });
    times.push(performance.now() - t);
  } else if (kind === 'parse') {
    const files = listFiles(dir);
    for (let r = 0; r <= runs; r++) {
      const t = performance.now();
      let docs = 0;
      for (const f of files) for (const d of parseAllDocuments(readFileSync(f, 'utf8')) as ReturnType<typeof parseAllDocuments> & unknown[]) docs += d.toJS() ? 1 : 0;
      if (r > 0) times.push(performance.now() - t);
      extra.docs = docs;
    }
  } else if (kind === 'validate') {
    for (let r = 0; r <= runs; r++) {
      const t = performance.now();
      const problems = await validateDirs([dir], { env, requireEnv: true });
      if (r > 0) times.push(performance.now() - t);
      if (problems.length) throw new Error(`bench tree invalid: ${JSON.stringify(problems.slice(0, 3))}`);
    }
  } else {
    const loader = createConfigLoader();
    const first = await loader.load(dir, { env });
    if (!first.ok) throw new Error('bench tree invalid');
    const files = listFiles(dir);
    for (let r = 0; r < Math.max(5, runs); r++) {
      const target = files[(r * 7919) % files.length] as string;
      writeFileSync(target, readFileSync(target, 'utf8').replace(/maxTokens: \d+/, `maxTokens: ${600 + r}`));
      const t = performance.now();
      const res = await loader.load(dir, { env });
      times.push(performance.now() - t);
      if (!res.ok) throw new Error('bench tree invalid after edit');
    }
  }
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ms: median(times), minMs: Math.min(...times), maxRssMb, ...extra })}\n`);
}

function measure(kind: string, dir: string, runs: number): Measured {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, [...process.execArgv, self, '--child', kind, '--dir', dir, '--runs', String(runs)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as Measured;
}

async function mainBench(): Promise<void> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: '1000,10000' }, runs: { type: 'string', default: '3' }, child: { type: 'string' }, dir: { type: 'string' } },
  });
  const runs = Number(values.runs);
  if (values.child) return child(values.child, values.dir as string, runs);
  const sizes = (values.sizes as string).split(',').map(Number);
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const root = mkdtempSync(join(tmpdir(), 'sb-bench-validate-'));
  const fmt = (n: number) => n.toFixed(n < 100 ? 1 : 0);
  const rows: string[] = [];
  try {
    for (const n of sizes) {
      const dir = generate(root, n);
      const parse = measure('parse', dir, runs);
      const validate = measure('validate', dir, runs);
      const parseRss = measure('parse-once', dir, 1).maxRssMb;
      const validateRss = measure('validate-once', dir, 1).maxRssMb;
      const reload = measure('reload', dir, runs);
      const pct = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(0)} %`;
      rows.push(
        `| ${n.toLocaleString('en')} | ${fmt(parse.ms)} (${fmt(parse.minMs)}) | ${fmt(validate.ms)} (${fmt(validate.minMs)}) | ${pct(validate.ms, parse.ms)} (${pct(validate.minMs, parse.minMs)}) | ${fmt(parseRss)} | ${fmt(validateRss)} | ${fmt(reload.ms)} (${fmt(reload.minMs)}) |`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `validate benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${availableParallelism()} × ${cpu}, median of ${runs} runs after a warm-up, load average before: ${loadBefore}`,
  );
  console.log('');
  console.log('Times: median (min). Peak RSS: one run in a fresh process. Re-load: warm loader, one file edited, 5 edits.');
  console.log('');
  console.log('| files | yaml parse ms | validate ms | validate vs parse | parse peak RSS MB | validate peak RSS MB | re-load after 1 change ms |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

await mainBench();
