/**
 * Markdown to Slack `mrkdwn`: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```pre``` ````,
 * `<url|text>` links and `> ` quotes, with `&`, `<` and `>` escaped everywhere else, as Slack
 * requires. Headings become bold lines and lists keep their bullets, as mrkdwn has neither.
 */
import type { ReplyFormat } from '../../schema/config.js';
import { markdownToRich } from './markdown-to-rich.js';
import type { RichText, Span } from './rich-text.js';
import { splitRich } from './split-rich.js';

/** Characters per message text this renderer aims at (Slack truncates a section's text past 3000). */
export const SLACK_TEXT_LIMIT = 3000;

/** Escapes the three characters mrkdwn reserves. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link target for `<url|text>`: the reserved characters and `|` cannot appear raw. */
function escapeUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
}

function opening(s: Span, text: string): string {
  switch (s.type) {
    case 'bold':
      return '*';
    case 'italic':
      return '_';
    case 'strike':
      return '~';
    case 'code':
      return '`';
    case 'pre':
      return '```';
    case 'quote':
      return '> ';
    case 'link': {
      const url = s.url as string;
      // An autolink shows its URL: `<url>` says it once.
      return text.slice(s.start, s.end) === url ? `<${escapeUrl(url)}` : `<${escapeUrl(url)}|`;
    }
  }
}

function closing(s: Span): string {
  if (s.type === 'link') return '>';
  if (s.type === 'quote') return '';
  return opening(s, '');
}

/** Serializes rendered text as mrkdwn. */
export function richToMrkdwn(rich: RichText): string {
  const { text, spans } = rich;
  const opens = new Map<number, Span[]>();
  const closes = new Map<number, Span[]>();
  for (const s of spans) {
    let o = opens.get(s.start);
    if (!o) opens.set(s.start, (o = []));
    o.push(s);
    let c = closes.get(s.end);
    if (!c) closes.set(s.end, (c = []));
    // Inner spans close first: they come later in the list.
    c.unshift(s);
  }
  const bounds = [...new Set([0, text.length, ...opens.keys(), ...closes.keys()])].sort((a, b) => a - b);
  let out = '';
  let quoted = 0;
  // Inside an autolink: its text is already the `<url>`.
  let autolink = false;
  for (const [k, at] of bounds.entries()) {
    for (const s of closes.get(at) ?? []) {
      out += closing(s);
      if (s.type === 'quote') quoted--;
      if (s.type === 'link') autolink = false;
    }
    for (const s of opens.get(at) ?? []) {
      out += opening(s, text);
      if (s.type === 'quote') quoted++;
      if (s.type === 'link' && text.slice(s.start, s.end) === s.url) autolink = true;
    }
    const next = bounds[k + 1];
    if (next === undefined || autolink) continue;
    const segment = escapeMrkdwn(text.slice(at, next));
    out += quoted > 0 ? segment.replace(/\n/g, '\n> ') : segment;
  }
  return out;
}

/**
 * Renders CommonMark `markdown` as mrkdwn texts of at most `limit` characters each
 * (markers and escapes included), formatting carried across the cuts.
 */
export function renderSlack(markdown: string, limit = SLACK_TEXT_LIMIT): string[] {
  return splitMrkdwn(markdownToRich(markdown), limit);
}

/**
 * A reply's `content` as Slack texts for the bot's `format`: `markdown` rendered, `plain`
 * only escaped; each at most `limit` characters.
 */
export function renderSlackReply(content: string, format: ReplyFormat, limit = SLACK_TEXT_LIMIT): string[] {
  return format === 'markdown' ? renderSlack(content, limit) : splitMrkdwn({ text: content, spans: [] }, limit);
}

function splitMrkdwn(rich: RichText, limit: number): string[] {
  const out: string[] = [];
  const pending = splitRich(rich, limit);
  while (pending.length > 0) {
    const chunk = pending.shift() as RichText;
    const mrkdwn = richToMrkdwn(chunk);
    if (mrkdwn.length <= limit || chunk.text.length < 2) {
      out.push(mrkdwn);
      continue;
    }
    // Markers and escapes made it longer than the visible text: cut the visible text shorter.
    const smaller = Math.max(2, Math.floor((chunk.text.length * limit) / mrkdwn.length) - 1);
    pending.unshift(...splitRich(chunk, smaller));
  }
  return out;
}
