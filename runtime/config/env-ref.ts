/**
 * Environment references inside string values: `${VAR}` (required), `${VAR:-default}` (the
 * default also replaces a set-but-empty value, as in POSIX shells) and `$${` (a literal `${`).
 * VAR is `[A-Za-z_][A-Za-z0-9_]*`; anything else that starts with `${` is malformed.
 * Interpolation runs after YAML parsing on string scalars only, so an env value that looks like
 * YAML stays a plain string.
 */

export interface EnvRef {
  name: string;
  /** The `:-` default, when written. */
  fallback?: string;
  /** Offset of `$` in the string value. */
  index: number;
}

/** A string value split into literal text and references. */
export interface EnvTemplate {
  /** Literal strings (with `$${` already turned into `${`) and references, in order. */
  parts: Array<string | EnvRef>;
  refs: EnvRef[];
  /** Offsets and text of malformed references. */
  malformed: Array<{ index: number; text: string }>;
}

export interface ResolvedTemplate {
  value: string;
  /** References whose variable is unset or empty and that have no default. */
  missing: EnvRef[];
  /** Non-empty values that came from the environment (secrets to redact). */
  fromEnv: string[];
}

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/y;

/**
 * Parses the env references of one string value. Returns null for a string with no `${`
 * at all (the common case, so callers can skip it cheaply).
 */
export function parseEnvTemplate(value: string): EnvTemplate | null {
  if (!value.includes('${')) return null;
  const parts: Array<string | EnvRef> = [];
  const refs: EnvRef[] = [];
  const malformed: Array<{ index: number; text: string }> = [];
  let literal = '';
  let i = 0;
  for (;;) {
    const j = value.indexOf('$', i);
    if (j < 0) break;
    if (value.startsWith('$${', j)) {
      literal += `${value.slice(i, j)}\${`;
      i = j + 3;
      continue;
    }
    if (value[j + 1] !== '{') {
      literal += value.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    REF.lastIndex = j;
    const m = REF.exec(value);
    if (m && !(m[2] ?? '').includes('${')) {
      if (literal || i < j) parts.push(literal + value.slice(i, j));
      literal = '';
      const ref: EnvRef = { name: m[1] as string, index: j };
      if (m[2] !== undefined) ref.fallback = m[2];
      parts.push(ref);
      refs.push(ref);
      i = j + m[0].length;
      continue;
    }
    const close = value.indexOf('}', j);
    const end = close >= 0 && close - j < 40 ? close + 1 : Math.min(value.length, j + 20);
    malformed.push({ index: j, text: value.slice(j, end) });
    literal += value.slice(i, j + 2);
    i = j + 2;
  }
  if (literal || i < value.length) parts.push(literal + value.slice(i));
  return { parts, refs, malformed };
}

/** Resolves a parsed template against `env`. Unset or empty variables without a default become "". */
export function resolveEnvTemplate(template: EnvTemplate, env: NodeJS.ProcessEnv): ResolvedTemplate {
  let value = '';
  const missing: EnvRef[] = [];
  const fromEnv: string[] = [];
  for (const part of template.parts) {
    if (typeof part === 'string') {
      value += part;
      continue;
    }
    const v = env[part.name];
    if (v !== undefined && v !== '') {
      value += v;
      fromEnv.push(v);
    } else if (part.fallback !== undefined) {
      value += part.fallback;
    } else {
      missing.push(part);
    }
  }
  return { value, missing, fromEnv };
}
