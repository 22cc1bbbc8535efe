/**
 * Stage B of loading one file, which depends on its parsed documents, the values of the env
 * variables it references and the load options (and is cached on exactly those): env
 * interpolation, schema validation, per-document checks, and the resolved runtime objects.
 */
import { API_VERSION, botSchema, integrationSchema } from '../../schema/config.js';
import { maskSecrets } from '../core/redact.js';
import { buildBot, buildIntegration } from './build-resolved.js';
import { checkBot, checkIntegration, type CheckProblem } from './document-checks.js';
import { resolveEnvTemplate } from './env-ref.js';
import type { Locator } from './locate.js';
import { nearMissProblems } from './near-miss.js';
import type { ParsedDocument, ParsedFile, PathSegment } from './parse-file.js';
import type { LocalProblem, Position } from './problem.js';
import type { ResolvedBot, ResolvedIntegration } from './snapshot.js';
import { describeValue, mapIssue, pathLabel } from './zod-issues.js';

export interface ResolveOptions {
  env: NodeJS.ProcessEnv;
  requireEnv: boolean;
  allowPrivateNetwork: boolean;
  /** Path shown in problems and `source.file`. */
  displayPath: string;
  /** Build the resolved runtime objects (default true; validation alone does not need them). */
  build?: boolean;
}

/** What the tree-wide checks need to know about one document. */
export interface DocumentInfo {
  kind?: 'Integration' | 'Bot';
  name?: string;
  docIndex: number;
  namePosition: Position;
  /** Bot entries with a usable name: for reference checks. */
  entries: Array<{ name: string; fallback: boolean; index: number }>;
  resolved?: ResolvedIntegration | ResolvedBot;
}

export interface ResolvedFile {
  problems: LocalProblem[];
  docs: DocumentInfo[];
  /** Non-empty env values used by this file. */
  secrets: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const keyOf = (path: readonly PathSegment[]): string => path.join('\u0000');

/**
 * Sets `value` at `path` inside `root`, copying (shallowly) every container on the way that is
 * not yet in `copied`: the cached parsed value stays untouched, and only the spine of each env
 * string is copied (structuredClone of every document cost more than parsing it).
 */
function setAt(root: unknown, path: readonly PathSegment[], value: unknown, copied: Set<unknown>): unknown {
  if (path.length === 0) return value;
  const copy = (c: unknown): unknown => {
    if (copied.has(c)) return c;
    // Spread defines own properties, so a `__proto__` key stays a plain key.
    const out = Array.isArray(c) ? [...c] : { ...(c as object) };
    copied.add(out);
    return out;
  };
  const top = copy(root) as Record<PathSegment, unknown>;
  let v = top;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i] as PathSegment;
    const child = copy(v[seg]) as Record<PathSegment, unknown>;
    v[seg] = child;
    v = child;
  }
  v[path[path.length - 1] as PathSegment] = value;
  return top;
}

/** True when one path is a prefix of the other. */
function overlaps(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}


/** Interpolates env references; records missing variables as problems or unresolved paths. */
function interpolate(
  doc: ParsedDocument,
  opts: ResolveOptions,
  problems: LocalProblem[],
  secrets: Array<{ path: PathSegment[]; values: string[] }>,
): { value: unknown; unresolved: Set<string> } {
  const unresolved = new Set<string>();
  if (doc.envStrings.length === 0) return { value: doc.value, unresolved };
  let value = doc.value;
  const copied = new Set<unknown>();
  for (const s of doc.envStrings) {
    const r = resolveEnvTemplate(s.template, opts.env);
    if (r.fromEnv.length) secrets.push({ path: s.path, values: r.fromEnv });
    if (s.template.malformed.length > 0 || r.missing.length > 0) unresolved.add(keyOf(s.path));
    if (opts.requireEnv) {
      for (const ref of r.missing) {
        const pos = s.refPositions[s.template.refs.indexOf(ref)] ?? s.position;
        const set = opts.env[ref.name] === undefined ? 'not set' : 'empty';
        problems.push({
          line: pos.line,
          column: pos.column,
          rule: 'env-missing',
          message: `environment variable ${ref.name} is ${set} (referenced in ${pathLabel(s.path)}); set it or write \${${ref.name}:-default}`,
        });
      }
    }
    value = setAt(value, s.path, r.value, copied);
  }
  return { value, unresolved };
}

function resolveDocument(doc: ParsedDocument, opts: ResolveOptions, locate: Locator, out: ResolvedFile): void {
  const problems: LocalProblem[] = [];
  const secrets: Array<{ path: PathSegment[]; values: string[] }> = [];
  const info: DocumentInfo = { docIndex: doc.index, namePosition: doc.namePosition ?? doc.position, entries: [] };
  out.docs.push(info);
  const { value, unresolved } = doc.yamlOk ? interpolate(doc, opts, problems, secrets) : { value: doc.value, unresolved: new Set<string>() };
  const isUnresolved = (path: readonly PathSegment[]): boolean => unresolved.has(keyOf(path));
  const located: CheckProblem[] = [];

  if (isObj(value)) {
    if (value.kind === 'Integration' || value.kind === 'Bot') info.kind = value.kind;
    if (typeof value.name === 'string' && !isUnresolved(['name'])) info.name = value.name;
    if (info.kind === 'Bot' && Array.isArray(value.integrations)) {
      value.integrations.forEach((e, index) => {
        if (isObj(e) && typeof e.name === 'string' && !isUnresolved(['integrations', index, 'name'])) {
          info.entries.push({ name: e.name, fallback: e.fallback === true, index });
        }
      });
    }
  }

  if (doc.yamlOk) {
    const nearMiss = isObj(value) ? nearMissProblems(value) : [];
    if (!isObj(value)) {
      located.push({ path: [], anchor: 'value', rule: 'invalid-type', message: `a document must be a mapping with apiVersion, kind and name, got ${describeValue(value)}` });
    } else if (nearMiss.length > 0) {
      located.push(...nearMiss);
    } else if (value.kind === undefined) {
      located.push({ path: ['kind'], anchor: 'map', rule: 'missing-key', message: 'missing required key "kind" (Integration or Bot)' });
    } else if (!info.kind) {
      if (!isUnresolved(['kind'])) {
        located.push({ path: ['kind'], anchor: 'value', rule: 'unknown-kind', message: `kind must be "Integration" or "Bot", got ${describeValue(value.kind)}` });
      }
      if (value.apiVersion !== API_VERSION && value.apiVersion !== undefined && !isUnresolved(['apiVersion'])) {
        located.push({ path: ['apiVersion'], anchor: 'value', rule: 'api-version', message: `apiVersion must be "${API_VERSION}", got ${describeValue(value.apiVersion)}` });
      }
    } else {
      const schema = info.kind === 'Integration' ? integrationSchema : botSchema;
      const result = schema.safeParse(value);
      if (!result.success) {
        for (const issue of result.error.issues) {
          for (const p of mapIssue(issue, value, schema)) if (!isUnresolved(p.path)) located.push(p);
        }
      }
      const ctx = { allowPrivateNetwork: opts.allowPrivateNetwork, unresolved: isUnresolved };
      located.push(...(info.kind === 'Integration' ? checkIntegration(value, ctx) : checkBot(value, ctx)));
      if (opts.build !== false && result.success && located.length === 0 && problems.length === 0) {
        // With requireEnv off, unset variables resolve to "" (as in shells).
        const source = { file: opts.displayPath, line: info.namePosition.line };
        info.resolved = info.kind === 'Integration' ? buildIntegration(result.data as never, source) : buildBot(result.data as never, source);
      }
    }
  }

  for (const p of located) {
    const pos = locate(doc.index, p.path, p.anchor);
    let message = p.message;
    if (p.firstPath) message += ` (first at line ${locate(doc.index, p.firstPath, 'value').line})`;
    // A message may quote the value at its path: hide what came from the environment there.
    const used = secrets.filter((s) => overlaps(s.path, p.path)).flatMap((s) => s.values);
    if (used.length) message = maskSecrets(message, [...new Set(used)].sort((a, b) => b.length - a.length), '***');
    problems.push({ line: pos.line, column: pos.column, rule: p.rule, message });
  }
  out.problems.push(...problems);
  for (const s of secrets) out.secrets.push(...s.values);
}

/** Resolves every document of a parsed file. Never throws. */
export function resolveFile(parsed: ParsedFile, opts: ResolveOptions, locate: Locator): ResolvedFile {
  const out: ResolvedFile = { problems: [], docs: [], secrets: [] };
  for (const doc of parsed.docs) resolveDocument(doc, opts, locate, out);
  out.secrets = [...new Set(out.secrets)];
  return out;
}
