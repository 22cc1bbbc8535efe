import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../runtime/webhook-kit.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = `whsec_${Buffer.from('the-previous-key-material').toString('base64')}`;
const BODY = '{"test": 2432232314}';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const at = (seconds: number) => () => seconds * 1000;

function sign(secret: string, id: string, ts: number, body: string): string {
  return `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${ts}.${body}`).digest('base64')}`;
}

const headers = { 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };

describe('verifyWebhook', () => {
  it('accepts the specification example within tolerance (string or bytes body)', () => {
    expect(verifyWebhook(SECRET, headers, BODY, { now: at(TS) })).toBe(true);
    expect(verifyWebhook(SECRET, headers, Buffer.from(BODY), { now: at(TS + 300) })).toBe(true);
    expect(verifyWebhook(SECRET, headers, new TextEncoder().encode(BODY), { now: at(TS - 300) })).toBe(true);
  });

  it('rejects timestamps outside the tolerance, either way', () => {
    expect(verifyWebhook(SECRET, headers, BODY, { now: at(TS + 301) })).toBe(false);
    expect(verifyWebhook(SECRET, headers, BODY, { now: at(TS - 301) })).toBe(false);
    expect(verifyWebhook(SECRET, headers, BODY, { now: at(TS + 1000), toleranceSeconds: 1000 })).toBe(true);
  });

  it('rejects a changed body, id, timestamp or a wrong secret', () => {
    expect(verifyWebhook(SECRET, headers, `${BODY} `, { now: at(TS) })).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-id': 'msg_other' }, BODY, { now: at(TS) })).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-timestamp': String(TS + 1) }, BODY, { now: at(TS) })).toBe(false);
    expect(verifyWebhook(OLD_SECRET, headers, BODY, { now: at(TS) })).toBe(false);
  });

  it('accepts any of several secrets, and several signatures (rotation)', () => {
    const rotated = { ...headers, 'webhook-signature': `${sign(OLD_SECRET, ID, TS, BODY)} ${headers['webhook-signature']}` };
    expect(verifyWebhook(OLD_SECRET, rotated, BODY, { now: at(TS) })).toBe(true);
    expect(verifyWebhook([OLD_SECRET, SECRET], headers, BODY, { now: at(TS) })).toBe(true);
    expect(verifyWebhook(['whsec_!!', SECRET], headers, BODY, { now: at(TS) })).toBe(true);
  });

  it('reads WHATWG Headers and mixed-case records; missing or malformed headers are false', () => {
    expect(verifyWebhook(SECRET, new Headers(headers), BODY, { now: at(TS) })).toBe(true);
    expect(verifyWebhook(SECRET, { 'Webhook-Id': ID, 'Webhook-Timestamp': String(TS), 'Webhook-Signature': headers['webhook-signature'] }, BODY, { now: at(TS) })).toBe(true);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-signature': undefined }, BODY, { now: at(TS) })).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-timestamp': '1614265330.5' }, BODY, { now: at(TS) })).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-signature': 'garbage' }, BODY, { now: at(TS) })).toBe(false);
    expect(verifyWebhook([], headers, BODY, { now: at(TS) })).toBe(false);
  });

  it('uses the real clock by default', () => {
    const ts = Math.floor(Date.now() / 1000);
    const fresh = { 'webhook-id': ID, 'webhook-timestamp': String(ts), 'webhook-signature': sign(SECRET, ID, ts, BODY) };
    expect(verifyWebhook(SECRET, fresh, BODY)).toBe(true);
    expect(verifyWebhook(SECRET, headers, BODY)).toBe(false);
  });
});
