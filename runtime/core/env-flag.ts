/**
 * Boolean environment flags (`SWITCHBOARD_ALLOW_PRIVATE_NETWORK`, ...): `1`, `true` and `yes`
 * in any case turn a flag on; anything else, unset or empty leaves it off. One helper, so every
 * command reads a flag the same way.
 */

const TRUE_WORDS = new Set(['1', 'true', 'yes']);

/** True when `value` is `1`, `true` or `yes` (any case, surrounding blanks ignored). */
export function isEnvFlagOn(value: string | undefined): boolean {
  return value !== undefined && TRUE_WORDS.has(value.trim().toLowerCase());
}
