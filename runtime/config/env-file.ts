/**
 * Reads the names an environment declares, from the files a deployment keeps them in: dotenv
 * files (`NAME=value`, `NAME`, `export NAME=…`, comments, quoted and multi-line quoted values)
 * and Kubernetes `Secret` / `ConfigMap` manifests (the keys of `data` and `stringData`, several
 * documents per file). Values are never kept: a declaration is a name and where it was written.
 */
import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import { ENV_NAME_PATTERN } from './env-ref.js';
import type { Position } from './problem.js';
import { parseStream } from './yaml-options.js';

/** One declared name. */
export interface EnvDeclaration {
  name: string;
  file: string;
  line: number;
  column: number;
}

/** What one env file declares, plus problems that make parts of it unreadable. */
export interface EnvFileResult {
  declarations: EnvDeclaration[];
  problems: Array<{ line: number; column: number; message: string }>;
}

const DOTENV_LINE = /^(\s*)(export\s+)?([^=\s#]+)\s*(=(.*))?$/;
const MANIFEST_KINDS = new Set(['Secret', 'ConfigMap']);

/** True when the text is YAML whose documents include a Kubernetes Secret or ConfigMap. */
function isManifest(text: string): boolean {
  if (!/^\s*kind\s*:/m.test(text)) return false;
  const stream = parseStream(text);
  return stream.docs.some((d) => {
    const v = d.contents;
    if (!isMap(v)) return false;
    const kind = v.items.find((p) => isScalar(p.key) && p.key.value === 'kind');
    return isScalar(kind?.value) && MANIFEST_KINDS.has(String(kind.value.value));
  });
}

/** Parses a dotenv file: names with their line; a quoted value may span lines. */
function parseDotenv(text: string, file: string): EnvFileResult {
  const out: EnvFileResult = { declarations: [], problems: [] };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\s*(#|$)/.test(line)) continue;
    const m = DOTENV_LINE.exec(line);
    const name = m?.[3];
    if (!m || name === undefined || !ENV_NAME_PATTERN.test(name)) {
      out.problems.push({ line: i + 1, column: 1, message: `not a dotenv line: expected NAME=value or NAME (NAME: letters, digits, _)` });
      continue;
    }
    out.declarations.push({ name, file, line: i + 1, column: (m[1]?.length ?? 0) + (m[2]?.length ?? 0) + 1 });
    const value = (m[5] ?? '').trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !closes(value.slice(1), quote)) {
      // A multi-line quoted value: skip to the line that closes it.
      while (i + 1 < lines.length && !closes(lines[i + 1] as string, quote)) i++;
      i++;
    }
  }
  return out;
}

function closes(rest: string, quote: string): boolean {
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '\\' && quote === '"') i++;
    else if (rest[i] === quote) return true;
  }
  return false;
}

/** Parses Kubernetes manifests: the keys of `data` and `stringData` of Secrets and ConfigMaps. */
function parseManifests(text: string, file: string): EnvFileResult {
  const out: EnvFileResult = { declarations: [], problems: [] };
  const stream = parseStream(text);
  const pos = (node: YamlNode): Position => {
    const p = stream.lineCounter.linePos(node.range?.[0] ?? 0);
    return { line: p.line, column: p.col };
  };
  for (const e of stream.streamErrors) {
    const p = stream.lineCounter.linePos(e.pos[0]);
    out.problems.push({ line: p.line, column: p.col, message: e.message });
  }
  for (const doc of stream.docs) {
    for (const e of doc.errors) {
      const p = stream.lineCounter.linePos(e.pos[0]);
      out.problems.push({ line: p.line, column: p.col, message: e.message });
    }
    const root = doc.contents;
    if (!isMap(root)) continue;
    const kind = root.items.find((p) => isScalar(p.key) && p.key.value === 'kind');
    if (!isScalar(kind?.value) || !MANIFEST_KINDS.has(String(kind.value.value))) continue;
    for (const pair of root.items) {
      if (!isScalar(pair.key) || (pair.key.value !== 'data' && pair.key.value !== 'stringData')) continue;
      if (!isMap(pair.value)) continue;
      for (const entry of pair.value.items) {
        if (!isScalar(entry.key)) continue;
        const at = pos(entry.key as YamlNode);
        out.declarations.push({ name: String(entry.key.value), file, line: at.line, column: at.column });
      }
    }
  }
  return out;
}

/**
 * Parses one env file's text (`file` is its display path): a Kubernetes manifest when it holds a
 * Secret or ConfigMap, else dotenv.
 */
export function parseEnvFile(text: string, file: string): EnvFileResult {
  return isManifest(text) ? parseManifests(text, file) : parseDotenv(text, file);
}
