/**
 * Documents that look like a mistyped Switchboard document: `apiVersion` or `kind` keys in
 * another case, a `kind` of `bot` or `INTEGRATION`, an `apiVersion: switchboard/…` of an unknown
 * version. Without this check such a file would hold "no Switchboard document" and be skipped,
 * and the bot would silently disappear from production; so these are always errors.
 */
import { API_VERSION } from '../../schema/config.js';
import type { CheckProblem } from './document-checks.js';

const KINDS = ['Integration', 'Bot'] as const;
const CANONICAL_KEYS = ['apiVersion', 'kind'] as const;

type Obj = Record<string, unknown>;

/** The keys of `value` that spell `apiVersion` or `kind` in another case. */
function misCasedKeys(value: Obj): Array<{ key: string; canonical: string }> {
  const out: Array<{ key: string; canonical: string }> = [];
  for (const key of Object.keys(value)) {
    const canonical = CANONICAL_KEYS.find((c) => c.toLowerCase() === key.toLowerCase() && c !== key);
    if (canonical) out.push({ key, canonical });
  }
  return out;
}

/** The value of `apiVersion` or `kind`, whatever the case of the key. */
function looseValue(value: Obj, canonical: string): unknown {
  const key = Object.keys(value).find((k) => k.toLowerCase() === canonical.toLowerCase());
  return key === undefined ? undefined : value[key];
}

/** True when a document is Switchboard's or a near miss of one (so its file is never skipped). */
export function claimsSwitchboard(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const obj = value as Obj;
  if (misCasedKeys(obj).length > 0) return true;
  const apiVersion = looseValue(obj, 'apiVersion');
  const kind = looseValue(obj, 'kind');
  return (typeof apiVersion === 'string' && /^switchboard\//i.test(apiVersion)) || (typeof kind === 'string' && KINDS.some((k) => k.toLowerCase() === kind.toLowerCase()));
}

/**
 * Located problems for a near-miss document; `[]` for a correctly spelled one (the usual checks
 * then report the rest). Mis-cased keys are reported at the key, a mis-cased kind at its value.
 */
export function nearMissProblems(value: Obj): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const { key, canonical } of misCasedKeys(value)) {
    out.push({
      path: [key],
      anchor: 'key',
      rule: canonical === 'kind' ? 'unknown-kind' : 'api-version',
      message: `key "${key}" must be written "${canonical}" (keys are case-sensitive); as written this document is not read as Switchboard config`,
    });
  }
  const kind = value.kind;
  if (typeof kind === 'string' && !KINDS.includes(kind as never)) {
    const meant = KINDS.find((k) => k.toLowerCase() === kind.toLowerCase());
    if (meant) out.push({ path: ['kind'], anchor: 'value', rule: 'unknown-kind', message: `kind must be "${meant}" (values are case-sensitive), got "${kind}"` });
  }
  if (out.length > 0 && value.apiVersion !== undefined && value.apiVersion !== API_VERSION) {
    out.push({ path: ['apiVersion'], anchor: 'value', rule: 'api-version', message: `apiVersion must be "${API_VERSION}", got ${JSON.stringify(value.apiVersion)}` });
  }
  return out;
}
