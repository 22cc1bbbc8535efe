import { describe, expect, it } from 'vitest';
import { checkSlackHeaders, computeSlackSignature, SLACK_MAX_SKEW_SECONDS, verifySlackSignature } from '../../runtime/channels/slack-verify.js';

// The example from Slack's "Verifying requests from Slack" documentation.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TS = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIG = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const DOC_NOW = Number(DOC_TS) * 1000;

const verify = (over: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({ signingSecret: DOC_SECRET, timestamp: DOC_TS, signature: DOC_SIG, rawBody: Buffer.from(DOC_BODY), nowMs: DOC_NOW, ...over });

describe('computeSlackSignature', () => {
  it('reproduces the signature of the Slack documentation example', () => {
    expect(computeSlackSignature(DOC_SECRET, DOC_TS, DOC_BODY)).toBe(DOC_SIG);
    expect(computeSlackSignature(DOC_SECRET, Number(DOC_TS), Buffer.from(DOC_BODY))).toBe(DOC_SIG);
  });
});

describe('verifySlackSignature', () => {
  it('accepts the documented request at its own time', () => {
    expect(verify()).toEqual({ ok: true });
  });

  it('accepts uppercase hex', () => {
    expect(verify({ signature: `v0=${DOC_SIG.slice(3).toUpperCase()}` })).toEqual({ ok: true });
  });

  it('allows five minutes of skew either way, not more', () => {
    expect(verify({ nowMs: DOC_NOW + SLACK_MAX_SKEW_SECONDS * 1000 })).toEqual({ ok: true });
    expect(verify({ nowMs: DOC_NOW - SLACK_MAX_SKEW_SECONDS * 1000 })).toEqual({ ok: true });
    expect(verify({ nowMs: DOC_NOW + 301_000 })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify({ nowMs: DOC_NOW - 301_000 })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify({ nowMs: DOC_NOW, maxSkewSeconds: 10, timestamp: String(Number(DOC_TS) - 11) })).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('rejects a changed body, a wrong secret or another timestamp', () => {
    expect(verify({ rawBody: Buffer.from(`${DOC_BODY}x`) })).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verify({ signingSecret: 'other-secret' })).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verify({ signingSecret: '' })).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verify({ timestamp: String(Number(DOC_TS) + 1) })).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('classifies missing and malformed headers without throwing', () => {
    expect(verify({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ signature: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ signature: '' })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ signature: [DOC_SIG, DOC_SIG] })).toEqual({ ok: false, reason: 'missing_headers' });
    for (const timestamp of ['abc', '1531420618.5', '-1531420618', ' 1531420618', '1e9', '9999999999999']) {
      expect(verify({ timestamp })).toEqual({ ok: false, reason: 'malformed_timestamp' });
    }
    for (const signature of [`v1=${DOC_SIG.slice(3)}`, DOC_SIG.slice(3), DOC_SIG.slice(0, -1), `${DOC_SIG}0`, `v0=${'g'.repeat(64)}`, 'v0=']) {
      expect(verify({ signature })).toEqual({ ok: false, reason: 'malformed_signature' });
    }
  });
});

describe('checkSlackHeaders (header-only, before the body)', () => {
  it('passes well-formed fresh headers and flags the rest', () => {
    expect(checkSlackHeaders({ timestamp: DOC_TS, signature: DOC_SIG, nowMs: DOC_NOW })).toBeNull();
    expect(checkSlackHeaders({ timestamp: DOC_TS, signature: DOC_SIG, nowMs: DOC_NOW + 3_600_000 })).toBe('stale_timestamp');
    expect(checkSlackHeaders({ timestamp: undefined, signature: DOC_SIG, nowMs: DOC_NOW })).toBe('missing_headers');
    expect(checkSlackHeaders({ timestamp: DOC_TS, signature: 'sha256=abc', nowMs: DOC_NOW })).toBe('malformed_signature');
  });
});
