import type { Problem } from './snapshot.js';

/** The config at start is invalid (or could not be loaded); carries the located problems. */
export class InvalidConfigError extends Error {
  readonly problems: Problem[];
  constructor(problems: readonly Problem[], options?: { cause?: unknown }) {
    super(`configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})`, options);
    this.name = 'InvalidConfigError';
    this.problems = [...problems];
  }
}
