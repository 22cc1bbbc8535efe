/**
 * Small Markdown readers for the documentation tests: which files are documentation, their
 * fenced code blocks (with the marker comment that may precede a block), their headings as
 * GitHub anchors and their relative links. Code blocks are skipped when looking for headings
 * and links, as GitHub does.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** README.md, bench/README.md and every Markdown file under docs/, relative to the repo root. */
export function docFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
    );
  return ['README.md', 'bench/README.md', ...walk('docs')].map((f) => relative(repoRoot, join(repoRoot, f)));
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string split on spaces: `["sh", "runnable"]`. */
  info: string[];
  /** The `<!-- ... -->` comment on the nearest non-blank line above the fence, if any. */
  marker: string | undefined;
  body: string;
}

/** Every fenced code block of a file, in order. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence!); j++) body.push(lines[j]!.slice(indent!.length));
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marker = k >= 0 ? /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(lines[k]!)?.[1] : undefined;
    blocks.push({ file, line: i + 1, info: info!.trim().split(/\s+/).filter(Boolean), marker, body: `${body.join('\n')}\n` });
    i = j;
  }
  return blocks;
}

/** The text of a file with its fenced code blocks removed. */
export function withoutFences(file: string): string {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  return text.replace(/^(\s*)(`{3,})[^\n]*\n[\s\S]*?^\s*\2\s*$/gm, '');
}

/** GitHub's anchor for a heading text: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of every heading of a file (duplicates numbered `-1`, `-2` as GitHub does). */
export function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of withoutFences(file).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Relative links `[text](target)` of the prose of a file (external and mail links left out). */
export function relativeLinks(file: string): string[] {
  const out: string[] = [];
  const prose = withoutFences(file).replace(/`[^`\n]*`/g, '``');
  for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    out.push(target);
  }
  return out;
}
