/**
 * Splits a long reply into chunks a chat API accepts (Telegram: 4096 UTF-16 code units per
 * message; Slack uses it too for section blocks). Cuts on a line break when one lies in the
 * second half of the window, else on whitespace, else hard — never inside a surrogate pair.
 */

/** Telegram's limit on one message's text. */
export const TELEGRAM_MAX_TEXT = 4096;

/** Splits `text` into chunks of at most `limit` UTF-16 code units, preferring line, then word boundaries. */
export function splitText(text: string, limit: number): string[] {
  if (limit < 2) throw new RangeError('splitText: limit must be at least 2');
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    let cut = window.lastIndexOf('\n');
    if (cut < limit / 2) cut = lastWhitespace(window);
    if (cut < limit / 2) {
      cut = limit;
      if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
      chunks.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    } else {
      chunks.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut + 1);
    }
    rest = rest.replace(/^\n+/, '');
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks.filter((c, i) => c.length > 0 || (i === 0 && chunks.length === 1));
}

function lastWhitespace(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return i;
  }
  return -1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
