import { describe, expect, it } from 'vitest';
import { splitText, TELEGRAM_MAX_TEXT } from '../../runtime/channels/telegram-text.js';

describe('splitText', () => {
  it('keeps a short text whole (including an empty one)', () => {
    expect(splitText('hello', 10)).toEqual(['hello']);
    expect(splitText('x'.repeat(10), 10)).toEqual(['x'.repeat(10)]);
    expect(splitText('', 10)).toEqual(['']);
  });

  it('cuts on the last line break of the window', () => {
    expect(splitText('aaaa bbb\ncc dd ee', 10)).toEqual(['aaaa bbb', 'cc dd ee']);
  });

  it('falls back to the last space when no line break is in the second half', () => {
    expect(splitText('aaaa bbbb cccc dddd', 10)).toEqual(['aaaa bbbb', 'cccc dddd']);
  });

  it('cuts hard when there is no boundary, and never inside a surrogate pair', () => {
    expect(splitText('abcdefghijklmnopqrstuvwxyz', 10)).toEqual(['abcdefghij', 'klmnopqrst', 'uvwxyz']);
    const emoji = '😀'.repeat(6); // 12 UTF-16 code units
    const parts = splitText(emoji, 5);
    expect(parts).toEqual(['😀😀', '😀😀', '😀😀']);
    expect(parts.join('')).toBe(emoji);
  });

  it('splits a Telegram-sized reply into chunks of at most 4096 without losing words', () => {
    const words = Array.from({ length: 1400 }, (_, i) => `word${i}`);
    const text = words.join(' ');
    const chunks = splitText(text, TELEGRAM_MAX_TEXT);
    expect(chunks.length).toBe(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4096);
    expect(chunks.join(' ').split(' ')).toEqual(words);
  });

  it('drops the line breaks at a cut', () => {
    expect(splitText('aaaaaaa\n\n\nbbbbbbb', 10)).toEqual(['aaaaaaa', 'bbbbbbb']);
  });
});
