/**
 * The semantic diff of two config trees: documents are matched by kind and name (so a document
 * moved to another file is no change), compared key by key, and a bot's `integrations` list is
 * compared by integration name (so reordering it is no change; `weight: 1` and `fallback:
 * false` equal their defaults). Values appear as written; values at secret-bearing keys that are
 * not env references are redacted.
 */
import { redactWritten } from './redact-written.js';
import type { RawDocument } from './load-side.js';

/** One changed key path. A missing side is `null`. */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** One document added, removed or changed. */
export interface DocumentChange {
  kind: 'Integration' | 'Bot';
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** Where the document is now (for a removed one: where it was). */
  file: string;
  /** The file it came from, when it moved. */
  movedFrom?: string;
  fields: FieldChange[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const IDENTITY_KEYS = new Set(['apiVersion', 'kind', 'name']);

/** A document's comparable form: identity keys dropped, a bot's entries keyed by name. */
function normalize(doc: RawDocument): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(doc.value)) {
    if (IDENTITY_KEYS.has(k)) continue;
    if (doc.kind === 'Bot' && k === 'integrations' && Array.isArray(v)) {
      const byName: Obj = {};
      for (const e of v as Obj[]) byName[String(e.name)] = { weight: e.weight ?? 1, fallback: e.fallback ?? false };
      out[k] = byName;
    } else {
      out[k] = v;
    }
  }
  return out;
}

function pathOf(parent: string, key: string, inEntries: boolean): string {
  if (inEntries) return `${parent}[${key}]`;
  return parent === '' ? key : /^[A-Za-z_][\w-]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every leaf that differs between `a` and `b` (mappings recurse; lists and scalars compare whole). */
function walkFields(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (isObj(a) && isObj(b)) {
    // In the order of the new side, then what it dropped.
    const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !Object.hasOwn(b, k))];
    for (const k of keys) {
      const child = pathOf(path, k, path === 'integrations');
      walkFields(Object.hasOwn(a, k) ? a[k] : undefined, Object.hasOwn(b, k) ? b[k] : undefined, child, out);
    }
    return;
  }
  // A one-sided mapping lists its leaves; an empty one (`http: {}`) is a leaf itself.
  if (isObj(a) && b === undefined && Object.keys(a).length > 0) {
    for (const k of Object.keys(a)) walkFields(a[k], undefined, pathOf(path, k, path === 'integrations'), out);
    return;
  }
  if (a === undefined && isObj(b) && Object.keys(b).length > 0) {
    for (const k of Object.keys(b)) walkFields(undefined, b[k], pathOf(path, k, path === 'integrations'), out);
    return;
  }
  if (same(a, b)) return;
  out.push({ path, before: redactWritten(path, a ?? null), after: redactWritten(path, b ?? null) });
}

const keyOf = (d: RawDocument): string => `${d.kind}\u0000${d.name}`;

/** Documents added, removed or changed from `before` to `after`, sorted by kind then name. */
export function diffDocuments(before: readonly RawDocument[], after: readonly RawDocument[]): DocumentChange[] {
  const old = new Map(before.map((d) => [keyOf(d), d]));
  const now = new Map(after.map((d) => [keyOf(d), d]));
  const changes: DocumentChange[] = [];
  for (const [key, d] of now) {
    const o = old.get(key);
    const fields: FieldChange[] = [];
    walkFields(o ? normalize(o) : undefined, normalize(d), '', fields);
    if (!o) changes.push({ kind: d.kind, name: d.name, change: 'added', file: d.file, fields });
    else if (fields.length > 0) {
      const c: DocumentChange = { kind: d.kind, name: d.name, change: 'changed', file: d.file, fields };
      if (o.file !== d.file) c.movedFrom = o.file;
      changes.push(c);
    }
  }
  for (const [key, o] of old) {
    if (now.has(key)) continue;
    const fields: FieldChange[] = [];
    walkFields(normalize(o), undefined, '', fields);
    changes.push({ kind: o.kind, name: o.name, change: 'removed', file: o.file, fields });
  }
  const order = { Integration: 0, Bot: 1 };
  return changes.sort((a, b) => order[a.kind] - order[b.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
