/**
 * Turns zod issues into located, human-sized problems: a missing key is reported at the mapping
 * that lacks it, an unknown key at the key (with a "did you mean"), a bad value at the value.
 */
import type { z } from 'zod';
import type { Anchor } from './locate.js';
import type { PathSegment } from './parse-file.js';
import type { RuleId } from './rules.js';
import { suggest } from './suggest.js';

/** A problem located by a path inside one document. */
export interface PathProblem {
  path: PathSegment[];
  anchor: Anchor;
  rule: RuleId;
  message: string;
}

type Issue = z.core.$ZodIssue;
type Schema = z.ZodType;

/** `channels.telegram.token`, `integrations[1].weight`. */
export function pathLabel(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || 'the document';
}

/** The value at `path` inside `root`, or undefined. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<PathSegment, unknown>)[seg];
  }
  return v;
}

/** A short, quoted rendering of a config value for messages. */
/** `http:` alone or `http: true` means "turn the channel on": say how YAML spells that. */
function channelHint(path: readonly PropertyKey[], actual: unknown): string {
  if (path.length !== 2 || path[0] !== 'channels' || (actual !== null && typeof actual !== 'boolean')) return '';
  const channel = String(path[1]);
  return channel === 'http' ? ' (write "http: {}" to enable the channel with no options)' : ` (${channel} needs its options as a mapping below it)`;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  boolean: 'true or false',
};

function unwrap(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 8; i++) {
    const def = s.def as { type: string; innerType?: Schema };
    if (!def.innerType) break;
    s = def.innerType;
  }
  return s;
}

/** The keys the schema allows at `path` (for "did you mean"), or []. */
export function allowedKeys(schema: Schema, path: readonly PathSegment[]): string[] {
  let s: Schema | undefined = schema;
  for (const seg of path) {
    if (!s) return [];
    const def = unwrap(s).def as { type: string; shape?: Record<string, Schema>; element?: Schema; valueType?: Schema };
    if (def.type === 'object') s = def.shape?.[String(seg)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return [];
  }
  if (!s) return [];
  const def = unwrap(s).def as { type: string; shape?: Record<string, Schema> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unknownKeyMessage(key: string, where: readonly PathSegment[], allowed: string[]): string {
  const inside = where.length ? ` in ${pathLabel(where)}` : '';
  if (key === '<<') return `unknown key "<<"${inside}: YAML merge keys are not supported (YAML 1.2 core schema); write the keys out`;
  const best = suggest(key, allowed);
  if (best) return `unknown key "${key}"${inside} (did you mean "${best}"?)`;
  return allowed.length ? `unknown key "${key}"${inside}; allowed: ${allowed.join(', ')}` : `unknown key "${key}"${inside}`;
}

const NAME_RULE = 'must be a lowercase DNS label (a-z, 0-9 and "-", starting and ending with a letter or digit, at most 63 characters)';

/** Maps one zod issue to located problems. `input` is the document value zod saw. */
export function mapIssue(issue: Issue, input: unknown, schema: Schema, prefix: PathSegment[] = []): PathProblem[] {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  const label = pathLabel(path);
  const actual = valueAt(input, path);
  const last = path[path.length - 1];
  const isName = last === 'name' && (path.length === 1 || path[path.length - 3] === 'integrations');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: [...path, key],
        anchor: 'key' as const,
        rule: 'unknown-key' as const,
        message: unknownKeyMessage(key, path, allowedKeys(schema, path)),
      }));
    case 'invalid_type': {
      if (actual === undefined) {
        const parent = path.slice(0, -1);
        const inside = parent.length ? ` in ${pathLabel(parent)}` : '';
        return [{ path, anchor: 'map', rule: 'missing-key', message: `missing required key "${String(last)}"${inside}` }];
      }
      const expected = typeNames[issue.expected] ?? issue.expected;
      if (issue.expected === 'int' && typeof actual === 'number') {
        return [{ path, anchor: 'value', rule: 'invalid-value', message: `${label} must be an integer, got ${actual}` }];
      }
      const hint =
        issue.expected === 'string' && (typeof actual === 'number' || typeof actual === 'boolean')
          ? ' (quote it to make it a string)'
          : channelHint(path, actual);
      return [{ path, anchor: 'value', rule: 'invalid-type', message: `${label} must be ${expected}, got ${describeValue(actual)}${hint}` }];
    }
    case 'invalid_union': {
      const branches = issue.errors;
      const typeOnly = branches.every((b) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0);
      if (typeOnly || branches.length === 0) {
        const expected = branches.map((b) => {
          const e = b[0] as Issue & { expected?: string };
          return typeNames[e.expected ?? ''] ?? e.expected ?? 'something else';
        });
        if (actual === undefined) return [{ path, anchor: 'map', rule: 'missing-key', message: `missing required key "${String(last)}"` }];
        return [{ path, anchor: 'value', rule: 'invalid-type', message: `${label} must be ${expected.join(' or ')}, got ${describeValue(actual)}` }];
      }
      const chosen = branches.find((b) => !(b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0)) ?? [];
      return chosen.flatMap((sub) => mapIssue(sub, input, schema, path));
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      if (path.length === 1 && last === 'apiVersion') {
        return [{ path, anchor: 'value', rule: 'api-version', message: `apiVersion must be ${values.join(' or ')}, got ${describeValue(actual)}` }];
      }
      if (path.length === 1 && last === 'kind') {
        return [{ path, anchor: 'value', rule: 'unknown-kind', message: `kind must be "Integration" or "Bot", got ${describeValue(actual)}` }];
      }
      const what = values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
      return [{ path, anchor: 'value', rule: 'invalid-value', message: `${label} must be ${what}, got ${describeValue(actual)}` }];
    }
    case 'invalid_format':
    case 'too_big':
    case 'too_small': {
      if (isName && typeof actual === 'string') {
        return [{ path, anchor: 'value', rule: 'invalid-name', message: `name ${describeValue(actual)} ${NAME_RULE}` }];
      }
      if (issue.code === 'invalid_format') {
        const what =
          last === 'timeout'
            ? 'a number of seconds or a duration such as "500ms", "30s", "2m"'
            : last === 'per' || last === 'historyTtl'
              ? 'a number of seconds or a duration such as "30s", "10m", "1h", "7d"'
              : `a valid ${issue.format}`;
        return [{ path, anchor: 'value', rule: 'invalid-value', message: `${label} must be ${what}, got ${describeValue(actual)}` }];
      }
      const bound = issue.code === 'too_big' ? issue.maximum : issue.minimum;
      const op = issue.code === 'too_big' ? (issue.inclusive ? '<=' : '<') : issue.inclusive ? '>=' : '>';
      let message: string;
      if (issue.origin === 'array') message = `${label} must have ${issue.code === 'too_big' ? 'at most' : 'at least'} ${String(bound)} item(s)`;
      else if (issue.origin === 'string') message = `${label} must have ${op} ${String(bound)} characters`;
      else message = `${label} must be ${op} ${String(bound)}, got ${describeValue(actual)}`;
      return [{ path, anchor: 'value', rule: 'invalid-value', message }];
    }
    default:
      return [{ path, anchor: 'value', rule: 'invalid-value', message: `${label}: ${issue.message}` }];
  }
}
