/**
 * What a client can do below the route level, over real sockets: unfinished bodies get a
 * 408 in the JSON envelope and a closed connection; every status Node or the router writes
 * (408, 414, 431, a malformed URL or request) uses the envelope; the open-connection cap
 * holds; over-long bodies get their 413 (never an EPIPE); invalid UTF-8 is refused.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import type { Router } from '../../runtime/routing/router.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { DEFAULT_BODY_TIMEOUT_MS, defaultMaxConnections, maxConnectionsFromEnv, openFilesLimit, timeoutOptions } from '../../runtime/server/connection-limits.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { waitFor } from '../helpers/config-tree.js';
import { openSocket, rawRequest, readResponse } from '../helpers/raw-http.js';
import { bot, integration, snapshot } from '../helpers/snapshot.js';

const first: Router = {
  plan: (b: ResolvedBot) => ({ candidate: b.integrations[0]?.name }),
  decide: (_b, plan) => ({ primary: plan.candidate, order: plan.candidate ? [plan.candidate] : [] }),
  record: () => undefined,
};
const snap = snapshot([bot('support', { integrations: [{ name: 'echo', weight: 1, fallback: false }] })], [integration('echo', { type: 'echo', url: undefined })]);
const BODY_TIMEOUT = 1000;

async function listening(over: { bodyTimeoutMs?: number; maxConnections?: number } = {}): Promise<{ app: SwitchboardApp; port: number }> {
  const app = await buildServer({ config: { current: () => snap }, store: createMemoryStore(), router: first, call: callIntegration, ...over });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

const head = (extra: string[]): string => ['POST /channels/http/support HTTP/1.1', 'Host: x', 'Content-Type: application/json', ...extra, '', ''].join('\r\n');

function expectEnvelope(res: { status: number; body: string; headers: Record<string, string> }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
}

describe('deadlines', () => {
  it('defaults to answering an unfinished body within 10 s', async () => {
    expect(DEFAULT_BODY_TIMEOUT_MS).toBe(10_000);
    const t = timeoutOptions(DEFAULT_BODY_TIMEOUT_MS);
    expect(t.requestTimeout + t.http.connectionsCheckingInterval).toBeLessThanOrEqual(10_000);
    const { app } = await listening();
    try {
      expect(app.server.requestTimeout).toBe(t.requestTimeout);
      expect(app.server.headersTimeout).toBeLessThanOrEqual(10_000);
      expect(app.server.keepAliveTimeout).toBe(65_000);
      expect((app.server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval).toBe(t.http.connectionsCheckingInterval);
    } finally {
      await app.close();
    }
  });

  describe('with a short deadline', () => {
    let app: SwitchboardApp;
    let port: number;
    beforeAll(async () => {
      ({ app, port } = await listening({ bodyTimeoutMs: BODY_TIMEOUT }));
    });
    afterAll(async () => {
      await app.close();
    });

    it.each([
      ['a body short of its Content-Length', [head(['Content-Length: 100']), '{"user":']],
      ['a chunked body that never ends', [head(['Transfer-Encoding: chunked']), '5\r\n{"use\r\n']],
      ['Expect: 100-continue without a body', [head(['Content-Length: 40', 'Expect: 100-continue'])]],
      ['headers that never end', ['POST /channels/http/support HTTP/1.1\r\nHost: x\r\n']],
    ])('%s gets 408 in the envelope and a closed connection', async (_name, chunks) => {
      const started = Date.now();
      const res = await rawRequest(port, chunks, 20_000);
      expectEnvelope(res, 408, 'SWB_ERR_HTTP_TIMEOUT');
      expect(res.closed).toBe(true);
      // Never early: the client had the whole deadline (a loaded machine may only make it later).
      expect(Date.now() - started).toBeGreaterThanOrEqual(BODY_TIMEOUT / 2);
    });

    it('a 404 answered before an unfinished body closes the connection (no 408 after it)', async () => {
      const res = await rawRequest(port, ['POST /channels/http/nobody HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":'], 20_000);
      expectEnvelope(res, 404, 'SWB_ERR_HTTP_NOT_FOUND');
      expect(res.closed).toBe(true);
      expect(res.body).not.toContain('408');
    });

    it('a complete request on the same server is answered normally', async () => {
      const body = '{"user":{"id":"u1"},"text":"hi"}';
      const res = await rawRequest(port, [head([`Content-Length: ${body.length}`, 'Connection: close']) + body]);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ content: 'hi', integration: 'echo' });
    });
  });
});

describe('statuses written below the routes use the envelope', () => {
  let app: SwitchboardApp;
  let port: number;
  beforeAll(async () => {
    ({ app, port } = await listening());
  });
  afterAll(async () => {
    await app.close();
  });

  it('431 for headers over the limit', async () => {
    const res = await rawRequest(port, [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expectEnvelope(res, 431, 'SWB_ERR_HTTP_HEADERS_TOO_LARGE');
    expect(res.closed).toBe(true);
  });

  it('414 for an over-long path segment', async () => {
    const res = await rawRequest(port, [`GET /files/${'a'.repeat(5000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
    expectEnvelope(res, 414, 'SWB_ERR_HTTP_URI_TOO_LONG');
  });

  it('400 for a malformed URL', async () => {
    const res = await rawRequest(port, ['GET /files/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expectEnvelope(res, 400, 'SWB_ERR_HTTP_BAD_REQUEST');
  });

  it("400 for what Node's parser refuses", async () => {
    const res = await rawRequest(port, ['GARBAGE\r\n\r\n']);
    expectEnvelope(res, 400, 'SWB_ERR_HTTP_BAD_REQUEST');
    expect(res.closed).toBe(true);
  });

  it('400 for a JSON body that is not valid UTF-8 (not silently replaced)', async () => {
    const body = Buffer.concat([Buffer.from('{"user":{"id":"u1"},"text":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await rawRequest(port, [head([`Content-Length: ${body.length}`, 'Connection: close']), body]);
    expectEnvelope(res, 400, 'SWB_ERR_HTTP_INVALID_JSON');
    expect(JSON.parse(res.body).error.message).toMatch(/UTF-8/);
  });

  it('250 bodies over 1 MiB all get the 413 (the rest is read first, then the connection closed)', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'a');
    const chunked = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    // Declared lengths (some asking to close, so the server ends the socket right after its answer) and chunked bodies.
    const kinds = [[head([`Content-Length: ${body.length}`]), body], [head([`Content-Length: ${body.length}`, 'Connection: close']), body], [head(['Transfer-Encoding: chunked']), chunked]];
    const send = (_: unknown, i: number) => rawRequest(port, kinds[i % 3] as Buffer[]);
    const results = [];
    for (let i = 0; i < 250; i += 25) results.push(...(await Promise.all(Array.from({ length: 25 }, send))));
    const bad = results.filter((r) => r.status !== 413 || r.error);
    expect(bad.map((r) => `${r.status} ${r.error ?? ''}`)).toEqual([]);
    for (const r of results.slice(0, 3)) expectEnvelope(r, 413, 'SWB_ERR_HTTP_BODY_TOO_LARGE');
    expect(results.every((r) => r.closed && r.headers.connection === 'close')).toBe(true);
  }, 120_000);
});

describe('the open-connection cap', () => {
  it('refuses connections over SWITCHBOARD_MAX_CONNECTIONS and serves again once one closes', async () => {
    const { app, port } = await listening({ maxConnections: 3 });
    const idle = await Promise.all([openSocket(port), openSocket(port), openSocket(port)]);
    try {
      await waitFor(() => new Promise<boolean>((r) => app.server.getConnections((_e, n) => r(n === 3))), 10_000, 'three open connections');
      const refused = await rawRequest(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], 10_000);
      expect(refused.status).toBe(0);
      expect(refused.closed).toBe(true);
      idle[0]?.destroy();
      await waitFor(() => new Promise<boolean>((r) => app.server.getConnections((_e, n) => r(n === 2))), 10_000, 'one connection closed');
      const socket = await openSocket(port);
      const ok = await readResponse(socket, ['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], 10_000);
      expect(ok.status).toBe(200);
    } finally {
      for (const s of idle) s.destroy();
      await app.close();
    }
  });

  it('derives the default cap from the open-files limit: two descriptors per waiting HTTP caller, 256 kept back', () => {
    expect(maxConnectionsFromEnv({}, 1024)).toBe(384);
    expect(maxConnectionsFromEnv({ SWITCHBOARD_MAX_CONNECTIONS: ' ' }, 20_000)).toBe(9872);
    expect(defaultMaxConnections(1_048_576)).toBe(10_000);
    expect(defaultMaxConnections(300)).toBe(64);
    expect(defaultMaxConnections(undefined)).toBe(800);
  });

  it('reads the open-files limit from /proc/self/limits (soft value), undefined when absent', () => {
    const limits = 'Limit                     Soft Limit           Hard Limit           Units\nMax cpu time              unlimited            unlimited            seconds\nMax open files            4096                 524288               files\n';
    expect(openFilesLimit(() => limits)).toBe(4096);
    expect(openFilesLimit(() => limits.replace('4096 ', 'unlimited'))).toBeUndefined();
    expect(openFilesLimit(() => {
      throw new Error('ENOENT');
    })).toBeUndefined();
    if (process.platform === 'linux') expect(openFilesLimit()).toBeGreaterThan(0);
  });

  it('reads the cap from the environment, refusing bad values by name', () => {
    expect(maxConnectionsFromEnv({ SWITCHBOARD_MAX_CONNECTIONS: '2000' }, 1024)).toBe(2000);
    expect(() => maxConnectionsFromEnv({ SWITCHBOARD_MAX_CONNECTIONS: 'lots' })).toThrow(/SWITCHBOARD_MAX_CONNECTIONS/);
    expect(() => maxConnectionsFromEnv({ SWITCHBOARD_MAX_CONNECTIONS: '0' })).toThrow(/SWITCHBOARD_MAX_CONNECTIONS/);
  });
});
