import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeSignature, decodeSigningSecret, newWebhookId, signatureMatches, signingHeaders } from '../../runtime/webhook/signing.js';

// The example from the Standard Webhooks specification / reference libraries.
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TS = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('Standard Webhooks signing', () => {
  it('reproduces the specification example', () => {
    const key = decodeSigningSecret(SPEC_SECRET);
    expect(signingHeaders([key], SPEC_ID, SPEC_TS, SPEC_BODY)).toEqual({
      'webhook-id': SPEC_ID,
      'webhook-timestamp': '1614265330',
      'webhook-signature': SPEC_SIGNATURE,
    });
  });

  it('matches an HMAC computed independently from the spec text, for several keys', () => {
    const raw = [Buffer.from('k1-abcdefghijklmnop'), Buffer.from('k2-0123456789')];
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'héllo' }] });
    const header = signingHeaders(raw, 'msg_x', 1700000000, body)['webhook-signature'];
    const expected = raw.map((k) => `v1,${createHmac('sha256', k).update(`msg_x.1700000000.${body}`, 'utf8').digest('base64')}`).join(' ');
    expect(header).toBe(expected);
  });

  it('accepts the prefix-less form and rejects malformed or empty secrets', () => {
    expect(decodeSigningSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toEqual(decodeSigningSecret(SPEC_SECRET));
    expect(() => decodeSigningSecret('whsec_')).toThrow('signing secret is empty');
    expect(() => decodeSigningSecret('whsec_has spaces')).toThrow('signing secret is not "whsec_" followed by base64');
  });

  it('signatureMatches finds any matching v1 entry and ignores other versions', () => {
    const key = decodeSigningSecret(SPEC_SECRET);
    const sig = computeSignature(key, SPEC_ID, SPEC_TS, SPEC_BODY);
    expect(signatureMatches([key], SPEC_ID, SPEC_TS, SPEC_BODY, `v1,AAAA v1a,${sig} v1,${sig}`)).toBe(true);
    expect(signatureMatches([key], SPEC_ID, SPEC_TS, SPEC_BODY, `v2,${sig}`)).toBe(false);
    expect(signatureMatches([key], SPEC_ID, SPEC_TS, `${SPEC_BODY} `, `v1,${sig}`)).toBe(false);
    expect(signatureMatches([Buffer.from('other')], SPEC_ID, SPEC_TS, SPEC_BODY, `v1,${sig}`)).toBe(false);
  });

  it('webhook ids are msg_ + 24 url-safe characters and unique', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newWebhookId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
  });
});
