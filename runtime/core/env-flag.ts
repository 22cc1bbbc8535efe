/**
 * Boolean environment variables (`SWITCHBOARD_ALLOW_PRIVATE_NETWORK`): one reading for every
 * command, so `validate` and `serve` never disagree about the same setting.
 */

/** True for `1`, `true` and `yes` in any case (surrounding spaces ignored); false otherwise. */
export function envFlag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.trim().toLowerCase());
}
