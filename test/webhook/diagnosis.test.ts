/**
 * The `switchboard test` diagnosis of a rejected request: a signed integration's 401 points
 * at the signature first, an unsigned one's does not mention signatures at all.
 */
import { describe, expect, it } from 'vitest';
import type { AttemptResult } from '../../runtime/webhook/attempt.js';
import { diagnose } from '../../runtime/webhook/diagnosis.js';
import { integration } from '../helpers/snapshot.js';

const rejected = (status: number): AttemptResult => ({ ok: false, failure: 'http_status', status, message: `HTTP ${status}`, latencyMs: 3, retried: false });
const SECRET = `whsec_${Buffer.from('diagnosis-test-signing-key-32byt').toString('base64')}`;

describe('diagnose: 401/403', () => {
  for (const status of [401, 403]) {
    it(`${status} from a signed integration names the signature first`, () => {
      const d = diagnose(rejected(status), integration('signed', { signingSecrets: [SECRET] }));
      expect(d?.title).toBe(`Authentication error (${status})`);
      expect(d?.hints[0]).toMatch(/signs its requests \(signingSecret\).*same whsec_ secret.*raw request body/);
      expect(JSON.stringify(d)).not.toContain(SECRET);
    });
  }
  it('401 from an unsigned integration does not talk about signatures', () => {
    const d = diagnose(rejected(401), integration('plain'));
    expect(d?.title).toBe('Authentication error (401)');
    expect(d?.hints.join(' ')).not.toMatch(/signature|signingSecret/i);
  });
});
