import { describe, expect, it } from 'vitest';
import { adminAuthorized } from '../../runtime/server/admin-auth.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('adminAuthorized', () => {
  it('accepts the token as Bearer or as the Basic password (any user name)', () => {
    expect(adminAuthorized('Bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(adminAuthorized('bearer s3cret-token ', 's3cret-token')).toBe(true);
    expect(adminAuthorized(basic('admin', 's3cret-token'), 's3cret-token')).toBe(true);
    expect(adminAuthorized(basic('', 's3cret-token'), 's3cret-token')).toBe(true);
    // A password containing a colon: only the first colon separates the user.
    expect(adminAuthorized(basic('ops', 'a:b:c'), 'a:b:c')).toBe(true);
  });

  it('rejects anything else', () => {
    for (const h of [undefined, '', 'Bearer', 'Bearer wrong', 'Token s3cret-token', basic('s3cret-token', 'x'), 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, 's3cret-token']) {
      expect(adminAuthorized(h, 's3cret-token'), String(h)).toBe(false);
    }
  });
});
