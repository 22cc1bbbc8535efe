/**
 * `switchboard validate [DIR...] [--format text|json|github] [--require-env] [--env-file FILE]...
 * [--strict] [--allow-private-network]`: every check CI needs. Exit 0 valid (warnings allowed),
 * 1 invalid, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblems, problemFormats, type ProblemFormat } from '../config/format.js';
import { EnvFileError } from '../config/env-contract.js';
import { ConfigDirError, validateTrees, type ValidateSummary } from '../config/validate.js';
import { isEnvFlagOn } from '../core/env-flag.js';
import type { CliIO } from './io.js';

export const usage = `Usage: switchboard validate [DIR...] [options]

Validates each config directory (default: $SWITCHBOARD_CONFIG, else ./integrations) as its
own tree: YAML syntax, duplicate keys, schema, unique names, references, weights, URLs,
timeouts, env-reference syntax. Problems go to stdout; usage errors to stderr (with
--format json or github, a missing directory is also printed on stdout in that format). A
YAML file holding no Switchboard document is a warning (not-switchboard); a near miss
(apiversion:, kind: bot, switchboard/v2) is always an error.

Options:
  --format text|json|github   output format (default text)
  --require-env               also require every referenced env variable to be set and non-empty
  --env-file FILE             (repeatable) a dotenv file or Kubernetes Secret/ConfigMap manifest
                              declaring the variables production has: every \${VAR} without a
                              default must be declared (env-undeclared); unused names are notes
  --strict                    make warnings (not-switchboard) errors
  --allow-private-network     allow http:// and private/loopback webhook URLs
                              (env SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1|true|yes)
  -h, --help                  show this help

Exit codes: 0 valid (warnings and notes alone still exit 0), 1 invalid, 2 usage error
(unknown flag, bad --format, missing directory, unreadable --env-file).
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
        'env-file': { type: 'string', multiple: true },
        strict: { type: 'boolean' },
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
      envFiles: values['env-file'] ?? [],
      strict: values.strict ?? false,
      allowPrivateNetwork: (values['allow-private-network'] ?? false) || isEnvFlagOn(io.env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK),
    });
  } catch (err) {
    if (err instanceof ConfigDirError || err instanceof EnvFileError) {
      io.stderr(`switchboard validate: ${err.message}\n`);
      // Machine-readable formats still get their document on stdout, naming the directory.
      const file = err instanceof ConfigDirError ? err.dir : err.file;
      if (format !== 'text') io.stdout(formatProblems([{ file, line: 1, column: 1, rule: err instanceof ConfigDirError ? 'config-dir' : 'env-file', message: err.message }], format));
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
  if (format === 'text') io.stdout(summaryLine(summary));
  return summary.errors === 0 ? 0 : 1;
}

/** The closing line of text output: valid or invalid, with counts. */
function summaryLine(summary: ValidateSummary): string {
  const { problems, errors } = summary;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const counts = `${plural(summary.files, 'file')}, ${plural(summary.documents, 'document')}`;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  const notes = problems.filter((p) => p.severity === 'note').length;
  const extra = [warnings ? plural(warnings, 'warning') : '', notes ? plural(notes, 'note') : ''].filter(Boolean).join(', ');
  if (errors === 0) return `valid: ${counts}, ${extra ? `no errors (${extra})` : 'no problems'}\n`;
  const files = new Set(problems.filter((p) => (p.severity ?? 'error') === 'error').map((p) => p.file)).size;
  return `invalid: ${plural(errors, 'error')} in ${plural(files, 'file')}${extra ? `, ${extra}` : ''} (${counts})\n`;
}
