/**
 * `switchboard init [DIR] [--force]`: scaffolds a config repository that validates as it is.
 * Existing files are never overwritten without `--force` (exit 1, naming them).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT, VERSION } from '../core/version.js';
import { demoYaml, envExample, workflowYaml } from '../init/templates.js';
import type { CliIO } from './io.js';

export const usage = `Usage: switchboard init [DIR] [--force]

Scaffolds a Switchboard config repository in DIR (default .):
  integrations/demo.yaml              a demo bot with the built-in echo integration
  integrations.schema.json            the JSON Schema editors use
  .env.example                        the env variables production must set (names only)
  .github/workflows/switchboard.yml   validate with annotations, and one PR comment with
                                      switchboard diff, on every pull request

Options:
  --force      overwrite files that exist
  -h, --help   show this help

Exit codes: 0 written, 1 files exist (without --force) or cannot be written, 2 usage error.
`;

/** The files init writes, relative to DIR. */
export function scaffoldFiles(): Array<{ path: string; text: string }> {
  return [
    { path: 'integrations/demo.yaml', text: demoYaml },
    { path: 'integrations.schema.json', text: readFileSync(join(PACKAGE_ROOT, 'integrations.schema.json'), 'utf8') },
    { path: '.env.example', text: envExample },
    { path: '.github/workflows/switchboard.yml', text: workflowYaml(VERSION) },
  ];
}

/** Runs `init`; returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    io.stderr(`switchboard init: ${(err as Error).message.split('. ')[0]}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr(`switchboard init: expected at most one directory, got ${positionals.length}\n\n${usage}`);
    return 2;
  }
  const root = resolve(io.cwd, positionals[0] ?? '.');
  const shown = (p: string): string => relative(io.cwd, join(root, p)) || p;
  const files = scaffoldFiles();
  const existing = files.filter((f) => existsSync(join(root, f.path)));
  if (existing.length > 0 && !values.force) {
    io.stderr(`switchboard init: these files exist; nothing was written (use --force to overwrite):\n${existing.map((f) => `  ${shown(f.path)}\n`).join('')}`);
    return 1;
  }
  try {
    for (const f of files) {
      mkdirSync(dirname(join(root, f.path)), { recursive: true });
      writeFileSync(join(root, f.path), f.text);
    }
  } catch (err) {
    io.stderr(`switchboard init: cannot write to ${relative(io.cwd, root) || '.'}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
    return 1;
  }
  for (const f of files) io.stdout(`${existing.includes(f) ? 'overwrote' : 'created'} ${shown(f.path)}\n`);
  io.stdout(`\nNext: npx switchboard validate ${shown('integrations')} --strict --env-file ${shown('.env.example')}\n`);
  return 0;
}
