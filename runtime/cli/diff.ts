/**
 * `switchboard diff BASE HEAD [--path DIR] [--format text|markdown|json] [--stats URL]`: what a
 * change does, before it merges. Exit 0 both sides valid, 1 either side invalid (its located
 * problems printed) or runtime stats unavailable, 2 usage.
 */
import { parseArgs } from 'node:util';
import { formatProblems } from '../config/format.js';
import { isEnvFlagOn } from '../core/env-flag.js';
import { buildReport, refreshWarnings } from '../diff/diff-report.js';
import { loadSide, type LoadedSide } from '../diff/load-side.js';
import { readSide, SideError, type Side } from '../diff/read-side.js';
import { diffFormats, renderJson, renderMarkdown, renderText, type DiffFormat } from '../diff/render.js';
import { addAssignments, StatsError } from '../diff/runtime-stats.js';
import type { CliIO } from './io.js';

export const usage = `Usage: switchboard diff BASE HEAD [options]

Shows what a change does: every Switchboard document added, removed or changed (each changed
key as before → after; integrations lists compared by name; documents moved between files are
no change), and for every bot whose routing changed each integration's weight and share of new
users, before → after. Env references are shown as written, never resolved; secrets never.

BASE and HEAD are directories, or git revisions of the repository in the working directory
(read at --path without checking anything out), e.g. switchboard diff origin/main HEAD.

Options:
  --path DIR                   config directory inside the repository (default integrations)
  --format text|markdown|json  output format (default text); markdown is one PR comment
  --stats URL                  a running runtime's base URL: adds the users assigned to each
                               integration now and how many will move (token from
                               SWITCHBOARD_ADMIN_TOKEN)
  --allow-private-network      allow http:// and private/loopback webhook URLs in both sides
                               (env SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1|true|yes)
  -h, --help                   show this help

Exit codes: 0 both sides valid (changed or not), 1 either side invalid or --stats failed,
2 usage error.
`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      path: { type: 'string' },
      format: { type: 'string', short: 'f' },
      stats: { type: 'string' },
      'allow-private-network': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Prints an invalid side's problems as text; for markdown inside a fenced block a comment can show. */
function reportInvalid(io: CliIO, label: string, side: LoadedSide & { ok: false }, format: 'text' | 'markdown'): void {
  const body = formatProblems(side.problems, 'text');
  if (format === 'markdown') io.stdout(`### Switchboard: \`${label}\` is invalid\n\n\`\`\`\n${body}\`\`\`\n`);
  else io.stdout(`${body}${label} is invalid: ${side.problems.length} problem${side.problems.length === 1 ? '' : 's'}\n`);
}

/** Runs `diff`; returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr(`switchboard diff: ${(err as Error).message.split('. ')[0]}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const format = (values.format ?? 'text') as DiffFormat;
  if (!diffFormats.includes(format)) {
    io.stderr(`switchboard diff: --format must be one of ${diffFormats.join(', ')}, got "${values.format}"\n`);
    return 2;
  }
  if (positionals.length !== 2) {
    io.stderr(`switchboard diff: expected BASE and HEAD, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}\n\n${usage}`);
    return 2;
  }
  const [baseSpec, headSpec] = positionals as [string, string];
  const allowPrivateNetwork = (values['allow-private-network'] ?? false) || isEnvFlagOn(io.env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK);
  const sides: Side[] = [];
  try {
    for (const spec of [baseSpec, headSpec]) sides.push(readSide(spec, io.cwd, values.path ?? 'integrations'));
    const [base, head] = sides as [Side, Side];
    const [before, after] = [await loadSide(base, allowPrivateNetwork), await loadSide(head, allowPrivateNetwork)];
    if (!before.ok || !after.ok) {
      const invalid = [before.ok ? undefined : { label: baseSpec, side: before }, after.ok ? undefined : { label: headSpec, side: after }].filter((x) => x !== undefined);
      // JSON stays one document: the problems of both sides in one array.
      if (format === 'json') io.stdout(formatProblems(invalid.flatMap((x) => x.side.problems), 'json'));
      else for (const x of invalid) reportInvalid(io, x.label, x.side, format);
      return 1;
    }
    const report = buildReport(before.documents, after.documents);
    if (values.stats !== undefined) {
      await addAssignments(report.traffic, values.stats, io.env.SWITCHBOARD_ADMIN_TOKEN || undefined);
      refreshWarnings(report, before.documents, after.documents);
    }
    io.stdout(format === 'json' ? renderJson(report) : format === 'markdown' ? renderMarkdown(report, { base: baseSpec, head: headSpec }) : renderText(report));
    return 0;
  } catch (err) {
    if (err instanceof SideError) {
      io.stderr(`switchboard diff: ${err.message}\n`);
      return 2;
    }
    if (err instanceof StatsError) {
      io.stderr(`switchboard diff: --stats: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    for (const s of sides) s.dispose();
  }
}
