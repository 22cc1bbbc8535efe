/**
 * The env contract of a change: every `${VAR}` without a default must be declared by one of the
 * `--env-file`s the deployment keeps (dotenv or Kubernetes Secret/ConfigMap), so a pull request
 * cannot reference a secret production does not have. Names declared but never referenced are
 * reported as notes, at their declaration.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseEnvFile, type EnvDeclaration } from './env-file.js';
import type { EnvReference } from './loader.js';
import type { Problem } from './snapshot.js';

/** An `--env-file` that cannot be read: a usage error (exit 2), like a missing directory. */
export class EnvFileError extends Error {
  /** The env file as given on the command line. */
  readonly file: string;
  constructor(file: string, code: string) {
    super(`env file ${file} cannot be read (${code})`);
    this.name = 'EnvFileError';
    this.file = file;
  }
}

/** Reads every env file (paths relative to `cwd`); its unreadable lines become `env-file` errors. */
export function readEnvFiles(files: readonly string[], cwd: string): { declarations: EnvDeclaration[]; problems: Problem[] } {
  const declarations: EnvDeclaration[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    const path = resolve(cwd, f);
    const display = relative(cwd, path) || f;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new EnvFileError(f, (err as NodeJS.ErrnoException).code ?? String(err));
    }
    const r = parseEnvFile(text, display);
    declarations.push(...r.declarations);
    for (const p of r.problems) problems.push({ file: display, line: p.line, column: p.column, rule: 'env-file', message: p.message });
  }
  return { declarations, problems };
}

/** `env-undeclared` errors at references and `env-unused` notes at declarations. */
export function checkEnvContract(refs: readonly EnvReference[], declarations: readonly EnvDeclaration[], envFiles: readonly string[]): Problem[] {
  const declared = new Set(declarations.map((d) => d.name));
  const referenced = new Set(refs.map((r) => r.name));
  const out: Problem[] = [];
  const where = envFiles.join(', ');
  for (const r of refs) {
    if (r.hasDefault || declared.has(r.name)) continue;
    out.push({
      file: r.file,
      line: r.line,
      column: r.column,
      rule: 'env-undeclared',
      message: `environment variable ${r.name} is not declared in ${where}; declare it there or write \${${r.name}:-default}`,
    });
  }
  const noted = new Set<string>();
  for (const d of declarations) {
    if (referenced.has(d.name) || noted.has(`${d.file}\u0000${d.name}`)) continue;
    noted.add(`${d.file}\u0000${d.name}`);
    out.push({ file: d.file, line: d.line, column: d.column, rule: 'env-unused', severity: 'note', message: `${d.name} is declared but no config file references it` });
  }
  return out;
}
