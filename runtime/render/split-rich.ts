/**
 * Splits rendered text into chunks a chat API accepts, carrying formatting across each cut:
 * a span that crosses it ends at the end of one chunk and starts again at the beginning of
 * the next (the entity equivalent of closing and reopening a tag), so no chunk ever holds a
 * broken entity. Cuts prefer a line break in the second half of the window, then other
 * whitespace, each outside links and inline code where possible, and never fall inside a
 * surrogate pair.
 */
import { sliceRich, trimRich, type RichText, type Span } from './rich-text.js';

/** Splits `rich` into chunks whose text is at most `limit` UTF-16 code units. */
export function splitRich(rich: RichText, limit: number): RichText[] {
  if (limit < 2) throw new RangeError('splitRich: limit must be at least 2');
  const chunks: RichText[] = [];
  let rest = trimRich(rich);
  while (rest.text.length > limit) {
    const cut = chooseCut(rest, limit);
    const head = trimRich(sliceRich(rest, 0, cut));
    if (head.text.length > 0) chunks.push(head);
    rest = trimRich(sliceRich(rest, cut, rest.text.length));
  }
  if (rest.text.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

/** Where to cut: the end offset of the first chunk (1..limit). */
function chooseCut(rich: RichText, limit: number): number {
  const { text } = rich;
  const half = Math.floor(limit / 2);
  // Links and inline code read badly when halved; a long code block has to be cut somewhere.
  const fragile = rich.spans.filter((s) => (s.type === 'link' || s.type === 'code') && s.start < limit && s.end > half);
  const inside = (i: number): boolean => fragile.some((s: Span) => s.start < i && s.end > i);
  const find = (isBreak: (c: string) => boolean, avoid: boolean): number => {
    for (let i = limit; i >= half; i--) {
      // Cutting at i keeps text[0, i); a break character at i goes to neither chunk after trimming.
      if (isBreak(text[i] ?? '') && !(avoid && inside(i))) return i;
    }
    return -1;
  };
  const newline = (c: string): boolean => c === '\n';
  const space = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  for (const [isBreak, avoid] of [
    [newline, true],
    [space, true],
    [newline, false],
    [space, false],
  ] as const) {
    const at = find(isBreak, avoid);
    if (at > 0) return at;
  }
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}
