/**
 * The channel-neutral result of rendering Markdown: the text a user sees plus formatting
 * spans over it (UTF-16 offsets, like JavaScript strings and Telegram's entities). Spans nest
 * properly (a span that starts inside another ends inside it) and are listed in start order,
 * outer before inner, so each channel can serialize them without re-checking.
 */

export type SpanType = 'bold' | 'italic' | 'strike' | 'code' | 'pre' | 'link' | 'quote';

export interface Span {
  type: SpanType;
  /** Offset of the first character (UTF-16 code units). */
  start: number;
  /** Offset just past the last character. */
  end: number;
  /** `link`: the target. */
  url?: string;
  /** `pre`: the code block's language, when given. */
  language?: string;
}

export interface RichText {
  text: string;
  spans: readonly Span[];
}

/** The part of `rich` between `from` and `to`, spans clipped to it (empty ones dropped). */
export function sliceRich(rich: RichText, from: number, to: number): RichText {
  const spans: Span[] = [];
  for (const s of rich.spans) {
    const start = Math.max(s.start, from);
    const end = Math.min(s.end, to);
    if (end > start) spans.push({ ...s, start: start - from, end: end - from });
  }
  return { text: rich.text.slice(from, to), spans };
}

/** `rich` without leading and trailing whitespace, spans moved along. */
export function trimRich(rich: RichText): RichText {
  const start = rich.text.length - rich.text.trimStart().length;
  const end = rich.text.trimEnd().length;
  if (start === 0 && end === rich.text.length) return rich;
  return sliceRich(rich, start, Math.max(start, end));
}
