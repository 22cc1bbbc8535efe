/**
 * CommonMark (with GitHub's strikethrough, tables and task lists) to {@link RichText}, parsed
 * with `marked`'s lexer: the one place that knows Markdown. Channels then serialize the rich
 * text their way (Telegram entities, Slack mrkdwn). Raw HTML in the Markdown is shown as
 * written, never interpreted. Newlines inside a paragraph are kept: in a chat a line break
 * the author typed is meant as one.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import { decodeEntities } from './html-entities.js';
import { trimRich, type RichText, type Span, type SpanType } from './rich-text.js';

export interface MarkdownToRichOptions {
  /**
   * `span` (default): a link is a `link` span over its text. `inline`: no spans for links;
   * the URL follows the text in parentheses, for channels that show text without formatting.
   */
  links?: 'span' | 'inline';
}

/** URL schemes a chat client opens; other links (relative, `javascript:`) keep only their text. */
const LINKABLE = /^(https?:\/\/|mailto:|tg:\/\/)/i;

class Builder {
  text = '';
  readonly spans: Span[] = [];
  private pending = '';
  private suppressGap = false;

  write(s: string): void {
    if (s.length === 0) return;
    this.flush();
    this.suppressGap = false;
    this.text += s;
  }

  /** Asks for `sep` (a line or paragraph break) before the next text; none at the very start. */
  gap(sep: string): void {
    if (this.suppressGap) {
      this.suppressGap = false;
      return;
    }
    if (this.text.length > 0 && sep.length > this.pending.length) this.pending = sep;
  }

  /** Writes a list marker: the item's first block continues on its line. */
  marker(s: string): void {
    this.write(s);
    this.suppressGap = true;
  }

  open(type: SpanType, extra: Partial<Span> = {}): Span {
    this.flush();
    const span: Span = { type, start: this.text.length, end: this.text.length, ...extra };
    this.spans.push(span);
    // The first block inside a span starts at the span, not after a break.
    this.suppressGap = true;
    return span;
  }

  close(span: Span): void {
    span.end = this.text.length;
    this.suppressGap = false;
  }

  private flush(): void {
    this.text += this.pending;
    this.pending = '';
  }
}

/** Renders `markdown` into visible text and formatting spans. Never throws. */
export function markdownToRich(markdown: string, opts: MarkdownToRichOptions = {}): RichText {
  try {
    const tokens: Token[] = new Lexer({ gfm: true }).lex(markdown);
    const b = new Builder();
    new Walker(b, opts.links ?? 'span').blocks(tokens, '\n\n', 0);
    return trimRich({ text: b.text, spans: b.spans.filter((s) => s.end > s.start) });
  } catch {
    // Pathological nesting can exhaust the stack: the reply is still delivered, unformatted.
    return trimRich({ text: markdown, spans: [] });
  }
}

class Walker {
  constructor(
    private readonly b: Builder,
    private readonly links: 'span' | 'inline',
  ) {}

  blocks(tokens: readonly Token[], sep: string, depth: number): void {
    for (const t of tokens) this.block(t, sep, depth);
  }

  private block(t: Token, sep: string, depth: number): void {
    const b = this.b;
    switch (t.type) {
      case 'space':
      case 'def':
        return;
      case 'heading':
      case 'paragraph': {
        b.gap(sep);
        const tok = t as Tokens.Heading | Tokens.Paragraph;
        if (t.type === 'heading') this.wrap('bold', () => this.inline(tok.tokens));
        else this.inline(tok.tokens);
        return;
      }
      case 'text': {
        b.gap(sep);
        const tok = t as Tokens.Text;
        if (tok.tokens) this.inline(tok.tokens);
        else b.write(decodeEntities(tok.text));
        return;
      }
      case 'code': {
        b.gap(sep);
        const tok = t as Tokens.Code;
        const extra = tok.lang ? { language: tok.lang.split(/\s/)[0] as string } : {};
        const span = b.open('pre', extra);
        b.write(tok.text);
        b.close(span);
        return;
      }
      case 'blockquote':
        b.gap(sep);
        this.wrap('quote', () => this.blocks((t as Tokens.Blockquote).tokens, '\n\n', depth));
        return;
      case 'list':
        b.gap(sep);
        this.list(t as Tokens.List, depth);
        return;
      case 'hr':
        b.gap(sep);
        b.write('———');
        return;
      case 'table':
        b.gap(sep);
        this.table(t as Tokens.Table);
        return;
      case 'checkbox':
        b.marker((t as Tokens.Checkbox).checked ? '☑ ' : '☐ ');
        return;
      case 'html':
        b.gap(sep);
        b.write((t as Tokens.HTML).text.replace(/\n+$/, ''));
        return;
      default:
        b.gap(sep);
        b.write(t.raw.replace(/\n+$/, ''));
    }
  }

  private list(list: Tokens.List, depth: number): void {
    const start = typeof list.start === 'number' ? list.start : 1;
    const indent = '  '.repeat(depth);
    list.items.forEach((item, i) => {
      this.b.gap(list.loose ? '\n\n' : '\n');
      this.b.marker(`${indent}${list.ordered ? `${start + i}.` : '•'} `);
      this.blocks(item.tokens, item.loose || list.loose ? '\n\n' : '\n', depth + 1);
    });
  }

  private table(table: Tokens.Table): void {
    const cell = (c: Tokens.TableCell): string => {
      const inner = new Builder();
      new Walker(inner, 'inline').inline(c.tokens);
      return inner.text.replace(/\s+/g, ' ').trim();
    };
    const rows = [table.header.map(cell), ...table.rows.map((r) => r.map(cell))];
    const span = this.b.open('pre');
    this.b.write(rows.map((r) => r.join(' | ')).join('\n'));
    this.b.close(span);
  }

  inline(tokens: readonly Token[]): void {
    for (const t of tokens) this.inlineOne(t);
  }

  private inlineOne(t: Token): void {
    const b = this.b;
    switch (t.type) {
      case 'text': {
        const tok = t as Tokens.Text;
        if (tok.tokens) this.inline(tok.tokens);
        else b.write(decodeEntities(tok.text));
        return;
      }
      case 'escape':
        b.write(decodeEntities((t as Tokens.Escape).text));
        return;
      case 'strong':
        this.wrap('bold', () => this.inline((t as Tokens.Strong).tokens));
        return;
      case 'em':
        this.wrap('italic', () => this.inline((t as Tokens.Em).tokens));
        return;
      case 'del':
        this.wrap('strike', () => this.inline((t as Tokens.Del).tokens));
        return;
      case 'codespan':
        this.wrap('code', () => b.write((t as Tokens.Codespan).text));
        return;
      case 'br':
        b.write('\n');
        return;
      case 'link':
        this.link(t.href as string, () => this.inline((t as Tokens.Link).tokens));
        return;
      case 'image': {
        const img = t as Tokens.Image;
        this.link(img.href, () => b.write(decodeEntities(img.text) || img.href));
        return;
      }
      case 'html':
        b.write((t as Tokens.Tag).text);
        return;
      case 'checkbox':
        b.marker((t as Tokens.Checkbox).checked ? '☑ ' : '☐ ');
        return;
      default:
        b.write(t.raw);
    }
  }

  private link(href: string, text: () => void): void {
    const url = decodeEntities(href);
    if (!LINKABLE.test(url)) return text();
    if (this.links === 'span') return this.wrap('link', text, { url });
    const before = this.b.text.length;
    text();
    const shown = this.b.text.slice(before);
    const bare = url.replace(/^mailto:/i, '');
    if (shown !== url && shown !== bare) this.b.write(` (${bare})`);
  }

  private wrap(type: SpanType, inner: () => void, extra: Partial<Span> = {}): void {
    const span = this.b.open(type, extra);
    inner();
    this.b.close(span);
  }
}
