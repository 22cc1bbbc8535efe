/**
 * The config `switchboard test` needs: the whole tree must be valid, but only the
 * environment variables of the integration under test must be set. Another bot's unset
 * Telegram token must not stop anyone from testing an OpenAI key.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { createConfigLoader } from '../config/loader.js';
import type { ConfigSnapshot, Problem } from '../config/snapshot.js';

export type TestConfig = { ok: true; snapshot: ConfigSnapshot } | { ok: false; problems: Problem[] };

/**
 * Loads `dir` for testing integration `name`: like `serve` would, except that `env-missing`
 * problems outside that integration's own document are ignored (the tree is then built with
 * those references empty, which the integration under test does not read).
 */
export async function loadForTest(dir: string, name: string, opts: { env: NodeJS.ProcessEnv; cwd: string; allowPrivateNetwork: boolean }): Promise<TestConfig> {
  const loader = createConfigLoader();
  const strict = await loader.load(dir, { ...opts, requireEnv: true });
  if (strict.ok) return strict;
  if (strict.problems.some((p) => p.rule !== 'env-missing')) return strict;
  const lenient = await loader.load(dir, { ...opts, requireEnv: false });
  if (!lenient.ok) return lenient;
  const integration = lenient.snapshot.integrations.get(name);
  // Unknown name: let the caller say so, with the list of known integrations.
  if (!integration) return lenient;
  const range = documentLines(resolve(opts.cwd, integration.source.file), integration.source.line);
  const own = strict.problems.filter((p) => p.file === integration.source.file && range !== undefined && p.line >= range.from && p.line <= range.to);
  return own.length > 0 || range === undefined ? { ok: false, problems: range === undefined ? strict.problems : own } : lenient;
}

/** The first and last line of the YAML document of `file` that contains `line`. */
function documentLines(file: string, line: number): { from: number; to: number } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, schema: 'core' });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const [start, , end] = doc.range;
    const from = counter.linePos(start).line;
    const to = counter.linePos(Math.max(start, end - 1)).line;
    if (line >= from && line <= to) return { from, to };
  }
  return undefined;
}
