import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIntegrationTest, testPayload } from '../../runtime/cli/test-report.js';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import { diagnose } from '../../runtime/webhook/diagnosis.js';
import { createGuardedAgent } from '../../runtime/webhook/guarded-dispatcher.js';
import { FAKE_OPENAI_KEY, startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';

let openai: FakeOpenAI;
let backend: FakeServer;
beforeAll(async () => {
  openai = await startFakeOpenAI();
  backend = await startFakeServer((req, res) => {
    switch (req.path.split('?')[0]) {
      case '/ok':
        return sendJson(res, 200, { content: 'pong', attachments: [{ type: 'file', url: 'https://cdn.example.com/r.pdf', name: 'r.pdf' }] });
      case '/html':
        return res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>');
      case '/nocontent':
        return sendJson(res, 200, { text: 'pong' });
      case '/slow':
        return undefined;
      default:
        return sendJson(res, 404, {});
    }
  });
});
afterAll(async () => {
  await openai.close();
  await backend.close();
});

const SIGNING = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
function custom(path: string, over: Partial<ResolvedIntegration> = {}): ResolvedIntegration {
  return {
    name: 'my-backend',
    type: 'custom',
    url: `${backend.origin}${path}`,
    headers: { 'X-Api-Key': 'backend-key-7777' },
    timeoutMs: 1000,
    signingSecrets: [SIGNING],
    source: { file: 'integrations/backend.yaml', line: 4 },
    ...over,
  };
}
const base = { message: 'ping', allowPrivateNetwork: true, secrets: [] as string[] };

describe('runIntegrationTest', () => {
  it('sends as the synthetic bot with metadata.test and renders request, status, latency and reply', async () => {
    const { ok, report } = await runIntegrationTest(custom('/ok'), { ...base, now: () => 1_700_000_000_000 });
    expect(ok).toBe(true);
    const req = backend.requests.find((r) => r.path === '/ok');
    expect(req?.json).toEqual(testPayload('ping'));
    expect(testPayload('ping')).toEqual({
      messages: [{ role: 'user', content: 'ping' }],
      conversation_id: 'switchboard-test',
      user: { id: 'switchboard-test', platform: 'cli', name: 'switchboard test' },
      bot: { id: 'switchboard-test', name: 'Switchboard Test' },
      metadata: { channel: 'cli', chat_id: 'switchboard-test', test: true },
    });
    expect(req?.headers['x-bot-id']).toBe('switchboard-test');
    expect(report).toContain('Integration "my-backend" (type custom) from integrations/backend.yaml:4\n\nRequest\n');
    expect(report).toContain(`  POST ${backend.origin}/ok\n`);
    expect(report).toContain('  X-Api-Key: [redacted]\n');
    expect(report).toContain('  webhook-timestamp: 1700000000\n');
    expect(report).toMatch(/\n  webhook-signature: v1,[A-Za-z0-9+/]{43}=\n/);
    expect(report).toContain('"test": true');
    expect(report).toMatch(/\nResponse\n  Status:  200\n  Latency: \d+ ms\n  Reply:\n    pong\n  Attachment: file https:\/\/cdn\.example\.com\/r\.pdf \(r\.pdf\)\n/);
    expect(report.endsWith('Result: OK, the integration answered with a valid reply.\n')).toBe(true);
    expect(report).not.toContain('backend-key-7777');
    expect(report).not.toContain(SIGNING);
  });

  it('redacts configured header values (keeping the scheme) and every snapshot secret, wherever they appear', async () => {
    const integration = custom('/ok?token=url-secret-123', { headers: { Authorization: `Bearer ${FAKE_OPENAI_KEY}` } });
    const { report } = await runIntegrationTest(integration, { ...base, message: 'my pass is url-secret-123', secrets: ['url-secret-123'] });
    expect(report).toContain('  Authorization: Bearer [redacted]\n');
    expect(report).toContain('/ok?token=[redacted]\n');
    expect(report).toContain('"content": "my pass is [redacted]"');
    expect(report).not.toContain('url-secret-123');
    expect(report).not.toContain(FAKE_OPENAI_KEY);
  });

  it('diagnoses 401 against the fake OpenAI, naming extra spaces in a header', async () => {
    const integration: ResolvedIntegration = {
      name: 'gpt',
      type: 'openai',
      url: openai.url,
      headers: { Authorization: `Bearer ${FAKE_OPENAI_KEY} ` },
      timeoutMs: 1000,
      model: 'gpt-4o-mini',
      signingSecrets: [],
      source: { file: 'integrations/gpt.yaml', line: 1 },
    };
    // Node's HTTP parser trims the trailing space, so make the key itself wrong too.
    const { ok, report } = await runIntegrationTest({ ...integration, headers: { Authorization: 'Bearer  sk-typo-1111222233334444' } }, base);
    expect(ok).toBe(false);
    expect(report).toContain('  Status:  401\n');
    expect(report).toContain('Result: FAILED (http_status)\nDiagnosis: Authentication error (401)\n');
    expect(report).toContain('  - The value of header "Authorization" has extra spaces or line breaks; remove them.\n');
    expect(report).toContain('  - OpenAI expects the header "Authorization: Bearer ${OPENAI_API_KEY}" (with the word Bearer).\n');
    expect(report).not.toContain('1111222233334444');
    expect((await runIntegrationTest(integration, base)).ok).toBe(true);
  });

  it('diagnoses bad JSON, missing content and timeouts', async () => {
    const html = await runIntegrationTest(custom('/html'), base);
    expect(html.ok).toBe(false);
    expect(html.report).toContain('  Error:   the reply is not valid JSON (Content-Type: text/html)\n');
    expect(html.report).toContain('Diagnosis: Response format error: the reply is not JSON\n');
    const missing = await runIntegrationTest(custom('/nocontent'), base);
    expect(missing.report).toContain('Diagnosis: Response format error: no usable "content"\n  - Check the "content" field is present and is a string.\n');
    const slow = await runIntegrationTest(custom('/slow', { timeoutMs: 150 }), base);
    expect(slow.report).toContain('Result: FAILED (timeout)\nDiagnosis: Timeout\n');
    expect(slow.report).toContain("  - Increase the integration's timeout (now 150 ms; at most 5m).\n");
  });

  it('diagnoses connection refused, DNS failure and blocked targets', async () => {
    const closed = await startFakeServer(() => undefined);
    await closed.close();
    const refused = await runIntegrationTest(custom('/x', { url: `${closed.origin}/x` }), base);
    expect(refused.report).toContain('  Status:  no response\n');
    expect(refused.report).toContain('Result: FAILED (unreachable)\nDiagnosis: Connection refused\n');

    const noDns = createGuardedAgent({
      allowPrivateNetwork: false,
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND hooks.invalid'), { code: 'ENOTFOUND' });
      },
    });
    const dns = await runIntegrationTest(custom('/x', { url: 'https://hooks.invalid/x' }), { ...base, allowPrivateNetwork: false, dispatcher: noDns });
    expect(dns.report).toContain('  Error:   the host name could not be resolved (ENOTFOUND)\n');
    expect(dns.report).toContain('Diagnosis: DNS lookup failed\n');
    await noDns.close();

    const blocked = await runIntegrationTest(custom('/ok'), { ...base, allowPrivateNetwork: false });
    expect(blocked.ok).toBe(false);
    expect(blocked.report).toContain(`Request\n  (not sent) POST ${backend.origin}/ok\n`);
    expect(blocked.report).toContain('Result: FAILED (blocked)\nDiagnosis: Blocked private or non-HTTPS target\n');
  });

  it('echo answers locally', async () => {
    const { ok, report } = await runIntegrationTest(custom('', { type: 'echo', url: undefined }), base);
    expect(ok).toBe(true);
    expect(report).toContain('Request\n  (none: echo answers locally, without any HTTP request)\n');
    expect(report).toContain('  Reply:\n    ping\n');
  });
});

describe('diagnose', () => {
  const integration: ResolvedIntegration = { name: 'i', type: 'custom', url: 'https://x', headers: {}, timeoutMs: 1000, signingSecrets: [], source: { file: 'f', line: 1 } };
  const fail = (over: object) => ({ ok: false as const, failure: 'unreachable' as const, message: 'm', latencyMs: 1, retried: false, ...over });
  it('covers TLS, redirects, 404, 429 and 5xx', () => {
    expect(diagnose(fail({ cause: Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }) }), integration)?.title).toBe('TLS certificate problem');
    expect(diagnose(fail({ failure: 'http_status', status: 301 }), integration)?.title).toBe('Redirect (301) not followed');
    expect(diagnose(fail({ failure: 'http_status', status: 404 }), integration)?.title).toBe('Not found (404)');
    expect(diagnose(fail({ failure: 'http_status', status: 429 }), integration)?.title).toBe('Rate limited (429)');
    expect(diagnose(fail({ failure: 'http_status', status: 503 }), integration)?.title).toBe('Server error (503)');
    expect(diagnose(fail({ failure: 'bad_reply', reason: 'too_large' }), integration)?.title).toBe('Reply too large');
    expect(diagnose(fail({ failure: 'bad_reply', reason: 'empty' }), integration)?.title).toBe('Empty reply');
    expect(diagnose({ ok: true, reply: { content: 'x' }, status: 200, latencyMs: 1, retried: false }, integration)).toBeNull();
  });
});
