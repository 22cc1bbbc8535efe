/**
 * STUB created by the config-toolchain task so the build passes; the owner of
 * `switchboard serve` overwrites this file.
 */
import type { CliIO } from './io.js';

/** Runs `serve`; returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout('Usage: switchboard serve [--config DIR] [--port N] [--host H] [--allow-private-network]\n');
    return 0;
  }
  io.stderr('switchboard serve: not implemented yet\n');
  return 2;
}
