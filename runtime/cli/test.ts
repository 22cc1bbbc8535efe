/**
 * STUB created by the config-toolchain task so the build passes; the owner of
 * `switchboard test` overwrites this file.
 */
import type { CliIO } from './io.js';

/** Runs `test`; returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout('Usage: switchboard test INTEGRATION [--message TEXT] [--config DIR] [--allow-private-network]\n');
    return 0;
  }
  io.stderr('switchboard test: not implemented yet\n');
  return 2;
}
