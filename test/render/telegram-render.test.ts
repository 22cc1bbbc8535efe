/** Markdown → Telegram entities against a table of inputs, the splitter, and the plain-text retry. */
import { describe, expect, it } from 'vitest';
import { isTelegramFormattingError, renderTelegram, renderTelegramReply, telegramPlainFallback, TELEGRAM_TEXT_LIMIT, type TelegramMessage } from '../../runtime/render/telegram-render.js';

/** Entities written as `type[shown text]` (and `->url`), so a table row reads like the chat. */
function show(m: TelegramMessage): string[] {
  return m.entities.map((e) => `${e.type}[${m.text.slice(e.offset, e.offset + e.length)}]${e.url ? `->${e.url}` : ''}${e.language ? `:${e.language}` : ''}`);
}

const one = (md: string): { text: string; entities: string[] } => {
  const out = renderTelegram(md);
  expect(out).toHaveLength(1);
  return { text: (out[0] as TelegramMessage).text, entities: show(out[0] as TelegramMessage) };
};

describe('renderTelegram: inputs → text and entities', () => {
  const table: Array<[string, string, string, string[]]> = [
    ['plain text', 'Hello there', 'Hello there', []],
    ['bold and italic', '**bold** and *it* and _it2_', 'bold and it and it2', ['bold[bold]', 'italic[it]', 'italic[it2]']],
    ['nested emphasis', '**bold _inner_ bold**', 'bold inner bold', ['bold[bold inner bold]', 'italic[inner]']],
    ['triple emphasis', '***both***', 'both', ['italic[both]', 'bold[both]']],
    ['strikethrough', '~~gone~~ here', 'gone here', ['strikethrough[gone]']],
    ['inline code with <, > and &', 'use `a<b && c>d` now', 'use a<b && c>d now', ['code[a<b && c>d]']],
    ['code block keeps its language and raw text', '```ts\nif (a < b && c) {\n  x();\n}\n```', 'if (a < b && c) {\n  x();\n}', ['pre[if (a < b && c) {\n  x();\n}]:ts']],
    ['link', 'see [the docs](https://example.com/a?b=1&c=2)', 'see the docs', ['text_link[the docs]->https://example.com/a?b=1&c=2']],
    ['autolink', '<https://example.com>', 'https://example.com', ['text_link[https://example.com]->https://example.com']],
    ['bold link text', '[**big**](https://x.io)', 'big', ['text_link[big]->https://x.io', 'bold[big]']],
    ['unsafe and relative links keep only their text', '[a](javascript:alert(1)) [b](/relative)', 'a b', []],
    ['heading is a bold line', '# Title\n\nbody', 'Title\n\nbody', ['bold[Title]']],
    ['lists with nesting and numbers', '- one\n- two\n  1. sub\n  2. sub2\n\n3. three', '• one\n• two\n  1. sub\n  2. sub2\n\n3. three', []],
    ['task list', '- [x] done\n- [ ] todo', '• ☑ done\n• ☐ todo', []],
    ['blockquote', '> wise\n> words\n\nafter', 'wise\nwords\n\nafter', ['blockquote[wise\nwords]']],
    ['stray * and _ stay literal', 'stray * and _ here, 2 * 3 = 6, snake_case_name', 'stray * and _ here, 2 * 3 = 6, snake_case_name', []],
    ['unclosed emphasis stays literal', '**not closed and _neither', '**not closed and _neither', []],
    ['escaped markers', 'a\\*b\\* \\_c\\_', 'a*b* _c_', []],
    ['raw HTML is shown, not interpreted', 'x <b>y</b> & z', 'x <b>y</b> & z', []],
    ['character references are decoded', 'AT&amp;T &lt;3 &#x41;&#66; &copy;', 'AT&T <3 AB ©', []],
    ['line breaks inside a paragraph are kept', 'line one\nline two', 'line one\nline two', []],
    ['image becomes a link to it', '![a chart](https://x.io/c.png)', 'a chart', ['text_link[a chart]->https://x.io/c.png']],
    ['table as monospace rows', '| a | **b** |\n|---|---|\n| 1 | 2 |', 'a | b\n1 | 2', ['pre[a | b\n1 | 2]']],
    ['horizontal rule', 'a\n\n---\n\nb', 'a\n\n———\n\nb', []],
    ['empty input', '', '', []],
    ['emoji offsets are UTF-16', '😀 **bold**', '😀 bold', ['bold[bold]']],
  ];
  it.each(table)('%s', (_name, md, text, entities) => {
    expect(one(md)).toEqual({ text, entities });
  });

  it('emoji offsets count UTF-16 code units, as Telegram does', () => {
    const [m] = renderTelegram('😀 **bold**');
    expect(m?.entities).toEqual([{ type: 'bold', offset: 3, length: 4 }]);
  });
});

/** Each visible non-space character with the set of formats on it, across chunks. */
function formatted(msgs: readonly TelegramMessage[]): string[] {
  const out: string[] = [];
  for (const m of msgs) {
    for (let i = 0; i < m.text.length; i++) {
      const c = m.text[i] as string;
      if (/\s/.test(c)) continue;
      const on = m.entities.filter((e) => e.offset <= i && i < e.offset + e.length).map((e) => e.type + (e.url ?? ''));
      out.push(`${c}${on.sort().join(',')}`);
    }
  }
  return out;
}

describe('renderTelegram: splitting at the limit', () => {
  const words = (n: number): string => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

  it('a short reply is one message; a long one splits at 4096 without losing or changing formatting', () => {
    const md = Array.from({ length: 120 }, (_, i) => `Paragraph ${i} has **bold ${i}**, _italic_, \`code<${i}>\` and [a link](https://x.io/${i}).`).join('\n\n');
    const whole = renderTelegram(md, 1_000_000);
    const parts = renderTelegram(md);
    expect(whole).toHaveLength(1);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(p.text).toBe(p.text.trim());
      for (const e of p.entities) {
        expect(e.length).toBeGreaterThan(0);
        expect(e.offset + e.length).toBeLessThanOrEqual(p.text.length);
      }
    }
    expect(formatted(parts)).toEqual(formatted(whole));
  });

  it('an entity that crosses the cut is closed in one message and reopened in the next', () => {
    const md = `**${words(30)}**`;
    const parts = renderTelegram(md, 100);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.entities).toEqual([{ type: 'bold', offset: 0, length: p.text.length }]);
    expect(parts.map((p) => p.text).join(' ')).toBe(words(30));
  });

  it('prefers a cut outside a link even when a space inside it is later', () => {
    const md = `${'a'.repeat(60)} [link text with spaces](https://x.io) tail`;
    const parts = renderTelegram(md, 80);
    expect(parts.map(show)).toEqual([[], ['text_link[link text with spaces]->https://x.io']]);
    expect(parts[0]?.text).toBe('a'.repeat(60));
  });

  it('a long code block is cut at line breaks and stays a code block in every part', () => {
    const code = Array.from({ length: 40 }, (_, i) => `line ${i} < ${i + 1} && ok`).join('\n');
    const parts = renderTelegram(`\`\`\`\n${code}\n\`\`\``, 200);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) {
      expect(p.entities).toEqual([{ type: 'pre', offset: 0, length: p.text.length }]);
      expect(p.text.startsWith('line ')).toBe(true);
    }
    expect(parts.map((p) => p.text).join('\n')).toBe(code);
  });

  it('text without any break is cut hard, never inside a surrogate pair', () => {
    const parts = renderTelegram('😀'.repeat(100), 51);
    expect(parts.every((p) => p.text.length <= 51 && !/[\ud800-\udbff]$/.test(p.text))).toBe(true);
    expect(parts.map((p) => p.text).join('')).toBe('😀'.repeat(100));
  });
});

describe('telegramPlainFallback', () => {
  it('drops entities and writes link targets after their text', () => {
    const [m] = renderTelegram('**Hi** see [docs](https://x.io/d), <https://a.b> or [mail](mailto:me@x.io) or [me@x.io](mailto:me@x.io)');
    expect(telegramPlainFallback(m as TelegramMessage)).toEqual(['Hi see docs (https://x.io/d), https://a.b or mail (me@x.io) or me@x.io']);
  });

  it('splits again when the added URLs make it too long', () => {
    const md = Array.from({ length: 10 }, (_, i) => `[l${i}](https://example.com/${'p'.repeat(20)}/${i})`).join(' ');
    const [m] = renderTelegram(md, 100);
    const plain = telegramPlainFallback(m as TelegramMessage, 100);
    expect(plain.length).toBeGreaterThan(1);
    expect(plain.every((t) => t.length <= 100)).toBe(true);
    expect(plain.join(' ')).toContain(`l9 (https://example.com/${'p'.repeat(20)}/9)`);
  });
});

describe('isTelegramFormattingError', () => {
  it.each([
    ["Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 10", true],
    ['Bad Request: wrong HTTP URL specified', true],
    ['Bad Request: entity beginning is not a UTF-16 code unit boundary', true],
    ['Bad Request: chat not found', false],
    ['Forbidden: bot was blocked by the user', false],
  ])('%s → %s', (description, want) => {
    expect(isTelegramFormattingError(description)).toBe(want);
  });
});

describe('renderTelegramReply', () => {
  it('markdown is rendered; plain is sent as written, split at the limit', () => {
    expect(renderTelegramReply('**hi** <b>', 'markdown')).toEqual([{ text: 'hi <b>', entities: [{ type: 'bold', offset: 0, length: 2 }] }]);
    expect(renderTelegramReply('**hi** <b>', 'plain')).toEqual([{ text: '**hi** <b>', entities: [] }]);
    const long = renderTelegramReply('x '.repeat(3000), 'plain');
    expect(long.length).toBe(2);
    expect(long.every((m) => m.text.length <= TELEGRAM_TEXT_LIMIT && m.entities.length === 0)).toBe(true);
  });
});
