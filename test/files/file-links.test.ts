import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFileLinks, DEFAULT_FILE_LINK_TTL_SECONDS } from '../../runtime/files/file-links.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function tokenOf(url: string): string {
  const m = /\/files\/([^/]+)$/.exec(url);
  if (!m?.[1]) throw new Error(`not a file URL: ${url}`);
  return m[1];
}

describe('createFileLinks', () => {
  const links = createFileLinks({ publicUrl: 'https://bots.example.com/', secret: 's3cret-files', now: () => T0 });

  it('signs an absolute /files/<token> URL under the public URL and verifies it back', () => {
    const url = links.sign({ channel: 'telegram', bot: 'support', ref: 'AgACAgIAAxkBAAIB', name: 'photo.jpg', mimeType: 'image/jpeg' });
    expect(url).toMatch(/^https:\/\/bots\.example\.com\/files\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(links.verify(tokenOf(url))).toEqual({
      channel: 'telegram',
      bot: 'support',
      ref: 'AgACAgIAAxkBAAIB',
      name: 'photo.jpg',
      mimeType: 'image/jpeg',
      expiresAt: T0 + DEFAULT_FILE_LINK_TTL_SECONDS * 1000,
    });
  });

  it('omits name and mimeType when not given', () => {
    const url = links.sign({ channel: 'slack', bot: 'b', ref: 'https://files.slack.com/files-pri/T1-F1/a.png' });
    expect(links.verify(tokenOf(url))).toEqual({ channel: 'slack', bot: 'b', ref: 'https://files.slack.com/files-pri/T1-F1/a.png', expiresAt: T0 + 3_600_000 });
  });

  it('defaults to a one hour lifetime and enforces expiry', () => {
    const token = tokenOf(links.sign({ channel: 'telegram', bot: 'support', ref: 'x' }));
    expect(links.verify(token, T0 + 3_599_000)).not.toBeNull();
    expect(links.verify(token, T0 + 3_600_000)).toBeNull();
    expect(links.verify(token, T0 + 86_400_000)).toBeNull();
  });

  it('honours ttlSeconds', () => {
    const short = createFileLinks({ publicUrl: 'https://x.example', secret: 'k', ttlSeconds: 60, now: () => T0 });
    const token = tokenOf(short.sign({ channel: 'telegram', bot: 'b', ref: 'r' }));
    expect(short.verify(token, T0 + 59_000)?.expiresAt).toBe(T0 + 60_000);
    expect(short.verify(token, T0 + 60_000)).toBeNull();
  });

  it('rejects a token signed with another secret', () => {
    const other = createFileLinks({ publicUrl: 'https://bots.example.com', secret: 'another-secret', now: () => T0 });
    const token = tokenOf(other.sign({ channel: 'telegram', bot: 'support', ref: 'x' }));
    expect(links.verify(token)).toBeNull();
  });

  it('rejects a tampered payload even with a recomputed plain (context-free) HMAC', () => {
    const token = tokenOf(links.sign({ channel: 'telegram', bot: 'support', ref: 'x' }));
    const [payloadPart, signature] = token.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload.b = 'admin';
    const forged = Buffer.from(JSON.stringify(payload)).toString('base64url');
    expect(links.verify(`${forged}.${signature}`)).toBeNull();
    const plainMac = createHmac('sha256', 's3cret-files').update(forged).digest('base64url');
    expect(links.verify(`${forged}.${plainMac}`)).toBeNull();
  });

  it('accepts a well-formed token built the documented way', () => {
    const payloadPart = Buffer.from(JSON.stringify({ c: 'slack', b: 'b', r: 'id:F1', e: T0 / 1000 + 10 })).toString('base64url');
    const sig = createHmac('sha256', 's3cret-files').update(`swb-file-v1.${payloadPart}`).digest('base64url');
    expect(links.verify(`${payloadPart}.${sig}`)).toEqual({ channel: 'slack', bot: 'b', ref: 'id:F1', expiresAt: T0 + 10_000 });
  });

  it('rejects malformed tokens without throwing', () => {
    const good = tokenOf(links.sign({ channel: 'telegram', bot: 'support', ref: 'x' }));
    for (const bad of ['', '.', 'abc', 'abc.', '.abc', `${good}.x`, good.replace('.', '..'), `${good}=`, good.slice(0, -2), `${'a'.repeat(9000)}.b`, '%%%.%%%']) {
      expect(links.verify(bad)).toBeNull();
    }
    // A correctly signed payload that is not a file reference.
    for (const body of ['[]', 'null', '{"c":"fax","b":"b","r":"r","e":9999999999}', '{"c":"slack","b":1,"r":"r","e":9999999999}', 'not json']) {
      const p = Buffer.from(body).toString('base64url');
      const sig = createHmac('sha256', 's3cret-files').update(`swb-file-v1.${p}`).digest('base64url');
      expect(links.verify(`${p}.${sig}`)).toBeNull();
    }
  });

  it('never puts anything but the given fields in the token', () => {
    const url = links.sign({ channel: 'telegram', bot: 'support', ref: 'FILEID' });
    const payload = Buffer.from(tokenOf(url).split('.')[0] as string, 'base64url').toString('utf8');
    expect(JSON.parse(payload)).toEqual({ c: 'telegram', b: 'support', r: 'FILEID', e: T0 / 1000 + 3600 });
  });

  it('refuses an empty secret or a bad ttl', () => {
    expect(() => createFileLinks({ publicUrl: 'https://x', secret: '' })).toThrow(/secret/);
    expect(() => createFileLinks({ publicUrl: 'https://x', secret: 'k', ttlSeconds: 0 })).toThrow(/ttlSeconds/);
  });
});
