/**
 * Hides secrets in values shown as written. Secret-bearing keys (`headers.*`, `signingSecret`,
 * channel `token` / `secretToken` / `botToken` / `signingSecret`) are shown only when every
 * secret part is an env reference (`Bearer ${OPENAI_API_KEY}`); a literal value there (or a
 * `:-default`) is replaced by `[redacted]`, so a reviewer still sees that it changed but never what it is.
 */

const SECRET_PATH = /^(headers(\.|\[)|signingSecret$|channels\.[^.]+\.(token|secretToken|botToken|signingSecret)$)/;
const ENV_REF = /\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/g;
/** What may stand beside references in a secret value without being secret itself. */
const HARMLESS = /^\s*((Bearer|Basic|Token|Bot)\s*)?$/i;

export const REDACTED = '[redacted]';

function redactString(s: string): string {
  if (!s.includes('${') || !HARMLESS.test(s.replace(ENV_REF, ''))) return REDACTED;
  // A default is a literal value too.
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*):-[^}]*\}/g, `\${$1:-${REDACTED}}`);
}

/** `value` as it may be printed at key path `path`. */
export function redactWritten(path: string, value: unknown): unknown {
  if (value === null || !SECRET_PATH.test(path)) return value;
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? redactString(v) : REDACTED));
  return REDACTED;
}
