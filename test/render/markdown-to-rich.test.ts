/** The channel-neutral renderer: invariants over arbitrary input, and pathological nesting. */
import { describe, expect, it } from 'vitest';
import { decodeEntities } from '../../runtime/render/html-entities.js';
import { markdownToRich } from '../../runtime/render/markdown-to-rich.js';
import { seededRandom } from '../routing/fixtures.js';

const alphabet = ['*', '_', '~', '`', '[', ']', '(', ')', '<', '>', '&', '#', '-', '!', '\\', '|', '\n', ' ', 'a', 'b', '1', '😀', 'https://x.io', '```', '> ', '1. '];

describe('markdownToRich', () => {
  it('never throws and always yields nested, in-bounds spans for random input', () => {
    const rnd = seededRandom(18);
    for (let n = 0; n < 400; n++) {
      const md = Array.from({ length: Math.floor(rnd() * 80) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const { text, spans } = markdownToRich(md);
      expect(text).toBe(text.trim());
      for (const [i, s] of spans.entries()) {
        expect(s.start).toBeGreaterThanOrEqual(0);
        expect(s.end).toBeGreaterThan(s.start);
        expect(s.end).toBeLessThanOrEqual(text.length);
        // Proper nesting: any earlier span either contains this one or ends before it starts.
        for (const p of spans.slice(0, i)) expect(p.start <= s.start && (p.end >= s.end || p.end <= s.start)).toBe(true);
      }
    }
  });

  it('pathological nesting is delivered, not thrown', () => {
    const deep = `${'> '.repeat(20_000)}deep`;
    expect(markdownToRich(deep).text).toContain('deep');
    expect(markdownToRich(`${'['.repeat(5000)}x${']'.repeat(5000)}`).text).toContain('x');
  });

  it('inline links mode writes URLs after their text', () => {
    expect(markdownToRich('[docs](https://x.io) and <https://y.io>', { links: 'inline' })).toEqual({ text: 'docs (https://x.io) and https://y.io', spans: [] });
  });
});

describe('decodeEntities', () => {
  it.each([
    ['&amp; &lt; &gt; &quot; &apos;', '& < > " \''],
    ['&#65;&#x42;&#X43;', 'ABC'],
    ['&#0; &#xD800; &#1114112;', '\ufffd \ufffd \ufffd'],
    ['&unknown; & alone &amp', '&unknown; & alone &amp'],
  ])('%s', (input, want) => {
    expect(decodeEntities(input)).toBe(want);
  });
});
