import { describe, expect, it } from 'vitest';
import { httpMessageSchema, parseCommonMessage, parseHttpMessage } from '../../runtime/channels/http.js';
import { parseCustomReply } from '../../runtime/providers/custom.js';
import { webhookReplySchema } from '../../schema/webhook.js';

/** Every combination of these field values, so the hand-written check meets each edge zod knows. */
const ids: unknown[] = [undefined, '', 'u', 'x'.repeat(256), 'x'.repeat(257), 42, 4.5, null, ['a'], { a: 1 }];
const names: unknown[] = [undefined, '', 'Ann', 'x'.repeat(256), 'x'.repeat(257), 7, null];
const texts: unknown[] = [undefined, '', 'hi', 'x'.repeat(100_000), 'x'.repeat(100_001), 3, null];
const extras: Array<Record<string, unknown>> = [{}, { attachments: [] }, { attachments: [{ type: 'image', url: 'https://e.example/a.png' }] }, { other: 1 }];
const userExtras: Array<Record<string, unknown>> = [{}, { email: 'a@b' }];

function* bodies(): Generator<Record<string, unknown>> {
  for (const id of ids)
    for (const name of names)
      for (const text of texts)
        for (const conversation of [undefined, 'c-1', '', 9])
          for (const extra of extras)
            for (const ux of userExtras) {
              const user: Record<string, unknown> = { ...ux };
              if (id !== undefined) user.id = id;
              if (name !== undefined) user.name = name;
              if (name !== undefined) user.username = name;
              const body: Record<string, unknown> = { user, ...extra };
              if (text !== undefined) body.text = text;
              if (conversation !== undefined) body.conversation_id = conversation;
              yield body;
            }
  yield {};
  yield { user: null };
  yield { user: [] };
  yield { user: 'u' };
}

describe('HTTP channel: the hand-checked common shape agrees with the zod schema', () => {
  it('accepts exactly what zod accepts, with the same output, and leaves every other body to zod', () => {
    let fast = 0;
    let total = 0;
    for (const body of bodies()) {
      total++;
      const expected = httpMessageSchema.safeParse(body);
      const common = parseCommonMessage(body);
      if (common) {
        fast++;
        expect(expected.success, JSON.stringify(body).slice(0, 200)).toBe(true);
        expect(common).toEqual(expected.data);
      }
      const got = parseHttpMessage(body);
      expect(got.success).toBe(expected.success);
      if (got.success && expected.success) expect(got.data).toEqual(expected.data);
      else if (!got.success && !expected.success) expect(got.error.issues).toEqual(expected.error.issues);
    }
    // The fast path really is taken for the common cases (and not for every case).
    expect(fast).toBeGreaterThan(50);
    expect(fast).toBeLessThan(total);
  });
});

describe('custom provider: the { content } fast path agrees with the reply schema', () => {
  const replies: unknown[] = [
    { content: 'hi' },
    { content: 'hi', extra: { deep: true } },
    { content: '   ' },
    { content: '\u00a0\n' },
    { content: '' },
    { content: 'hi', attachments: [{ type: 'image', url: 'https://e.example/a.png' }] },
    { content: '', attachments: [{ type: 'image', url: 'https://e.example/a.png' }] },
    { content: 'hi', metadata: { a: 1 } },
    { content: 'hi', metadata: 'no' },
    { content: 5 },
    { content: null },
    {},
    [],
    'text',
  ];
  it('gives the same verdict and reply as validating with the schema', () => {
    for (const body of replies) {
      const got = parseCustomReply(body);
      const schema = typeof body === 'object' && body !== null && !Array.isArray(body) && 'content' in body ? webhookReplySchema.safeParse(body) : undefined;
      if (got.ok) {
        expect(schema?.success, JSON.stringify(body)).toBe(true);
        expect(got.reply).toEqual(schema?.data);
      } else if (schema?.success) {
        expect(got.reason).toBe('empty');
        expect(/\S/.test(schema.data.content)).toBe(false);
      }
    }
    expect(parseCustomReply({ content: ' \t' })).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseCustomReply({ content: 'ok', ignored: 1 })).toEqual({ ok: true, reply: { content: 'ok' } });
  });
});
