/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
 */

/**
 * The delay a `Retry-After` value asks for, in ms (0 for a date in the past), or null when
 * absent or malformed. `nowMs` is the wall clock the HTTP date is compared with.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return null;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names a weekday and "GMT"; Date.parse alone accepts far too much.
  if (!/^[A-Za-z]{3},? .*GMT$/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
