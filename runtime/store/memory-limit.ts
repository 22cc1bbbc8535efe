/**
 * `SWITCHBOARD_MEMORY_LIMIT`: how many bytes of conversation history the in-memory store may
 * hold (default 256 MiB). Without it the store is bounded only by conversation count, and
 * long messages in many conversations could take the process past its memory.
 */
import { parseByteSize } from '../core/byte-size.js';
import { DEFAULT_MEMORY_LIMIT_BYTES } from './defaults.js';

/** The env variable's name, for messages and docs. */
export const MEMORY_LIMIT_ENV = 'SWITCHBOARD_MEMORY_LIMIT';

/** Smallest accepted limit: one message at the largest accepted size must fit. */
export const MIN_MEMORY_LIMIT_BYTES = 1024 * 1024;

/** The limit from `env` (unset or empty: the default); throws an Error naming the variable when invalid. */
export function memoryLimitFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env[MEMORY_LIMIT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MEMORY_LIMIT_BYTES;
  const bytes = parseByteSize(raw);
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  if (bytes === null) throw new Error(`${MEMORY_LIMIT_ENV} must be a size such as 256MiB, 1GiB or a number of bytes, got "${shown}"`);
  if (bytes < MIN_MEMORY_LIMIT_BYTES) throw new Error(`${MEMORY_LIMIT_ENV} must be at least 1MiB, got "${shown}"`);
  return bytes;
}
