/**
 * A cheap scan for flow collections (`[`, `{`) nested past a limit, run before the YAML
 * parser: the parser recurses once per level and would otherwise overflow its stack on
 * input like 10,000 `[`. Quoted scalars and comments are skipped; an apostrophe inside a
 * plain scalar may hide a few brackets, which only makes the scan more lenient (the
 * converter's own depth check still applies).
 */

/** Offset of the first bracket that opens level `limit + 1`, or undefined when none does. */
export function tooDeepFlowOffset(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return i;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (depth > 0) depth--;
    } else if (c === 0x23 /* # */ && (i === 0 || isSpace(text.charCodeAt(i - 1)))) {
      i = lineEnd(text, i);
    } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      if (i === 0 || isScalarStart(text.charCodeAt(i - 1))) i = quoteEnd(text, i, c);
    }
  }
  return undefined;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** A quote starts a quoted scalar only where a scalar may start. */
function isScalarStart(prev: number): boolean {
  return isSpace(prev) || prev === 0x5b || prev === 0x7b || prev === 0x2c /* , */ || prev === 0x3a /* : */;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

function quoteEnd(text: string, from: number, quote: number): number {
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote === 0x22 && c === 0x5c /* \ */) i++;
    else if (c === quote) {
      if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27) i++; // '' escapes ' in single quotes
      else return i;
    }
  }
  return text.length;
}
