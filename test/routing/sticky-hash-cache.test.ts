import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stickyHash } from '../../runtime/routing/sticky-hash.js';

const reference = (bot: string, key: string): number => createHash('sha256').update(bot).update('\u0000').update(key).digest().readUIntBE(0, 6) / 2 ** 48;

describe('stickyHash cache', () => {
  it('answers from the cache exactly what sha256 gives, also after the cache was cleared', () => {
    const first = stickyHash('support', 'user:telegram:42');
    expect(first).toBe(reference('support', 'user:telegram:42'));
    expect(stickyHash('support', 'user:telegram:42')).toBe(first);
    for (let i = 0; i < 60_000; i++) stickyHash('support', `user:http:${i}`); // overflows the bound once
    expect(stickyHash('support', 'user:telegram:42')).toBe(first);
    for (const i of [0, 49_999, 59_999]) expect(stickyHash('support', `user:http:${i}`)).toBe(reference('support', `user:http:${i}`));
  });
});
