/**
 * `switchboard validate [DIR...] [--format text|json|github] [--require-env]
 * [--allow-private-network]`: every check CI needs. Exit 0 valid, 1 invalid, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblems, problemFormats, type ProblemFormat } from '../config/format.js';
import { ConfigDirError, validateTrees } from '../config/validate.js';
import { envFlag } from '../core/env-flag.js';
import type { CliIO } from './io.js';

export const usage = `Usage: switchboard validate [DIR...] [options]

Validates each config directory (default: $SWITCHBOARD_CONFIG, else ./integrations) as its
own tree: YAML syntax, duplicate keys, schema, unique names, references, weights, URLs,
timeouts, env-reference syntax. Problems go to stdout; usage errors to stderr (with
--format json or github, a missing directory is also printed on stdout in that format).

Options:
  --format text|json|github   output format (default text)
  --require-env               also require every referenced env variable to be set and non-empty
  --allow-private-network     allow http:// and private/loopback webhook URLs
                              (env SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1|true|yes)
  -h, --help                  show this help

Exit codes: 0 valid, 1 invalid, 2 usage error (unknown flag, bad --format, missing directory).
`;

/** Runs `validate`; returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f' },
        'require-env': { type: 'boolean' },
        'allow-private-network': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr(`switchboard validate: ${(err as Error).message.split('. ')[0]}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const format = (values.format ?? 'text') as ProblemFormat;
  if (!problemFormats.includes(format)) {
    io.stderr(`switchboard validate: --format must be one of ${problemFormats.join(', ')}, got "${values.format}"\n`);
    return 2;
  }
  const dirs = positionals.length ? positionals : [io.env.SWITCHBOARD_CONFIG || 'integrations'];
  let summary;
  try {
    summary = await validateTrees(dirs, {
      env: io.env,
      cwd: io.cwd,
      requireEnv: values['require-env'] ?? false,
      allowPrivateNetwork: (values['allow-private-network'] ?? false) || envFlag(io.env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK),
    });
  } catch (err) {
    if (err instanceof ConfigDirError) {
      io.stderr(`switchboard validate: ${err.message}\n`);
      // Machine-readable formats still get their document on stdout, naming the directory.
      if (format !== 'text') io.stdout(formatProblems([{ file: err.dir, line: 1, column: 1, rule: 'config-dir', message: err.message }], format));
      return 2;
    }
    throw err;
  }
  const { problems } = summary;
  const cache = new Map<string, string | undefined>();
  const sources = (file: string): string | undefined => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(resolve(io.cwd, file), 'utf8'));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
  io.stdout(formatProblems(problems, format, sources));
  if (format === 'text') {
    const files = new Set(problems.map((p) => p.file)).size;
    const counts = `${summary.files} file${summary.files === 1 ? '' : 's'}, ${summary.documents} document${summary.documents === 1 ? '' : 's'}`;
    io.stdout(
      problems.length === 0
        ? `valid: ${counts}, no problems\n`
        : `invalid: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${counts})\n`,
    );
    if (summary.skipped.length > 0) {
      const n = summary.skipped.length;
      io.stdout(`skipped ${n} YAML file${n === 1 ? '' : 's'} holding no Switchboard document (no apiVersion switchboard/… or kind Integration/Bot): ${summary.skipped.join(', ')}\n`);
    }
  }
  return problems.length === 0 ? 0 : 1;
}
