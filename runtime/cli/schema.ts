/**
 * `switchboard schema`: prints integrations.schema.json (the JSON Schema of one config
 * document), read from the package root so it works from a checkout and from dist/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../core/version.js';
import type { CliIO } from './io.js';

export const usage = `Usage: switchboard schema

Prints integrations.schema.json, the JSON Schema of one Switchboard document (Integration or
Bot). Editors use it through a first line such as
  # yaml-language-server: $schema=../integrations.schema.json
`;

/** Runs `schema`; returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    io.stderr(`switchboard schema: ${(err as Error).message.split('. ')[0]}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  io.stdout(readFileSync(join(PACKAGE_ROOT, 'integrations.schema.json'), 'utf8'));
  return 0;
}
