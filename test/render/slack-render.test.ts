/** Markdown → Slack mrkdwn against a table of inputs, and splitting with markers counted. */
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, renderSlack, renderSlackReply } from '../../runtime/render/slack-render.js';

describe('renderSlack: inputs → mrkdwn', () => {
  const table: Array<[string, string, string]> = [
    ['plain text', 'Hello there', 'Hello there'],
    ['bold, italic, strike', '**b** *i* ~~s~~', '*b* _i_ ~s~'],
    ['nested emphasis', '**bold _inner_ bold**', '*bold _inner_ bold*'],
    ['inline code escapes &, <, >', 'run `a<b && c>d`', 'run `a&lt;b &amp;&amp; c&gt;d`'],
    ['code block', '```sh\necho "<x>" && y\n```', '```echo "&lt;x&gt;" &amp;&amp; y```'],
    ['link', '[the docs](https://x.io/a?b=1&c=2)', '<https://x.io/a?b=1&amp;c=2|the docs>'],
    ['link text is escaped, a | in the URL is encoded', '[a <b> & c](https://x.io/p|q)', '<https://x.io/p%7Cq|a &lt;b&gt; &amp; c>'],
    ['autolink', '<https://example.com>', '<https://example.com>'],
    ['unsafe link keeps its text', '[x](javascript:alert(1))', 'x'],
    ['heading', '## Setup\n\nbody', '*Setup*\n\nbody'],
    ['lists', '- one\n- two\n  - sub\n1. first', '• one\n• two\n  • sub\n\n1. first'],
    ['blockquote lines', '> a\n> b\n\nc', '> a\n> b\n\nc'],
    ['raw text with reserved characters', 'if a < b & c > d', 'if a &lt; b &amp; c &gt; d'],
    ['raw HTML is escaped, not interpreted', '<script>x</script>', '&lt;script&gt;x&lt;/script&gt;'],
    ['stray * and _ stay as written', 'stray * and _ here, snake_case_name', 'stray * and _ here, snake_case_name'],
    ['character references', 'AT&amp;T &lt;3', 'AT&amp;T &lt;3'],
  ];
  it.each(table)('%s', (_name, md, want) => {
    expect(renderSlack(md)).toEqual([want]);
  });

  it('escapeMrkdwn escapes exactly &, < and >', () => {
    expect(escapeMrkdwn('a & b < c > d * _ ~')).toBe('a &amp; b &lt; c &gt; d * _ ~');
  });
});

describe('renderSlack: splitting', () => {
  it('counts markers and escapes against the limit and keeps formatting balanced in each part', () => {
    const md = Array.from({ length: 80 }, (_, i) => `**item ${i}** & <${i}> [l](https://x.io/${i})`).join('\n');
    const parts = renderSlack(md, 300);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(300);
      expect((p.match(/\*/g) ?? []).length % 2).toBe(0);
      expect((p.match(/</g) ?? []).length).toBe((p.match(/>/g) ?? []).length);
    }
    expect(parts.join('\n')).toContain('*item 79* &amp; &lt;79&gt; <https://x.io/79|l>');
  });

  it('a bold run crossing a cut is closed and reopened', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const parts = renderSlack(`**${words}**`, 50);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect(p).toMatch(/^\*[^*]+\*$/);
  });
});

describe('renderSlackReply', () => {
  it('markdown is rendered; plain is only escaped, never cut inside an escape', () => {
    expect(renderSlackReply('**hi** & <b>', 'markdown')).toEqual(['*hi* &amp; &lt;b&gt;']);
    expect(renderSlackReply('**hi** & <b>', 'plain')).toEqual(['**hi** &amp; &lt;b&gt;']);
    const parts = renderSlackReply('a&b '.repeat(100), 'plain', 50);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(50);
      expect(p.replace(/&amp;/g, '')).not.toContain('&');
    }
  });
});
