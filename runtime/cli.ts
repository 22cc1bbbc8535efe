#!/usr/bin/env node
/**
 * The `switchboard` command: a thin dispatcher. Each subcommand lives in runtime/cli/<name>.ts,
 * exports `run(argv, io): Promise<number>` and is imported only when used, so `validate`
 * never loads the server stack.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processIO, type CliCommand, type CliIO } from './cli/io.js';
import { VERSION } from './core/version.js';

interface CommandEntry {
  summary: string;
  load: () => Promise<CliCommand>;
}

/** The dispatch table. */
export const commands: Readonly<Record<string, CommandEntry>> = {
  validate: {
    summary: 'check config directories (YAML, schema, names, references, URLs, env syntax)',
    load: () => import('./cli/validate.js'),
  },
  serve: {
    summary: 'run the runtime (--config DIR, --port N, --host H; REDIS_URL selects Redis)',
    load: () => import('./cli/serve.js'),
  },
  test: {
    summary: 'send one real test request to an integration and diagnose the reply',
    load: () => import('./cli/test.js'),
  },
  schema: {
    summary: 'print integrations.schema.json',
    load: () => import('./cli/schema.js'),
  },
  diff: {
    summary: 'what a change does: documents added/removed/changed and traffic per bot (BASE HEAD)',
    load: () => import('./cli/diff.js'),
  },
  init: {
    summary: 'scaffold a config repository with a demo bot and a GitHub workflow (DIR, --force)',
    load: () => import('./cli/init.js'),
  },
};

/** Top-level usage text. */
export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: switchboard <command> [options]

Commands:
${lines.join('\n')}

Options:
  -h, --help     show this help (switchboard <command> --help for a command)
  -V, --version  print the version

Exit codes: 0 success, 1 failure (invalid config, failed test), 2 usage error.
`;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(usage());
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest[0] !== undefined) return main([rest[0], '--help'], io);
    io.stdout(usage());
    return 0;
  }
  if (first === '--version' || first === '-V' || first === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const entry = Object.hasOwn(commands, first) ? commands[first] : undefined;
  if (!entry) {
    io.stderr(`switchboard: ${first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"`}\n\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  return command.run(rest, io);
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`switchboard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
