import type { LookupAddress } from 'node:dns';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { BlockedAddressError, createGuardedAgent, guardedDispatcher, guardedLookup, preflightUrl, type Resolver } from '../../runtime/webhook/guarded-dispatcher.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';

const payload: WebhookRequest = {
  messages: [{ role: 'user', content: 'hi' }],
  conversation_id: 'c',
  user: { id: 'u', platform: 'http' },
  bot: { id: 'b', name: 'B' },
  metadata: { channel: 'http', chat_id: 'c' },
};

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer((_req, res) => sendJson(res, 200, { content: 'reached' }));
});
afterAll(() => server.close());

function integration(url: string): ResolvedIntegration {
  return { name: 'i', type: 'custom', url, headers: {}, timeoutMs: 2000, signingSecrets: [], source: { file: 'f', line: 1 } };
}

function callLookup(lookup: ReturnType<typeof guardedLookup>, host: string, options: object): Promise<{ err: Error | null; address: unknown; family?: number }> {
  return new Promise((resolve) => lookup(host, options as never, (err, address, family) => resolve({ err, address, family })));
}

describe('guardedLookup', () => {
  const resolver: Resolver = async (host) =>
    ({
      'public.example': [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ],
      'smuggled.example': [{ address: '127.0.0.1', family: 4 }],
      'mixed.example': [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ],
      'mapped.example': [{ address: '::ffff:169.254.169.254', family: 6 }],
    })[host] as LookupAddress[];

  it('answers both call forms for public names (Node 20 uses {all: true})', async () => {
    const lookup = guardedLookup(resolver);
    const all = await callLookup(lookup, 'public.example', { all: true });
    expect(all.err).toBeNull();
    expect(all.address).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
    expect(await callLookup(lookup, 'public.example', {})).toEqual({ err: null, address: '93.184.215.14', family: 4 });
    expect(await callLookup(lookup, 'public.example', { family: 6 })).toEqual({
      err: null,
      address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c',
      family: 6,
    });
  });

  it('refuses a name when any of its addresses is private, loopback or link-local', async () => {
    const lookup = guardedLookup(resolver);
    for (const host of ['smuggled.example', 'mixed.example', 'mapped.example']) {
      for (const options of [{ all: true }, {}]) {
        const { err } = await callLookup(lookup, host, options);
        expect(err).toBeInstanceOf(BlockedAddressError);
        expect((err as BlockedAddressError).code).toBe('SWB_BLOCKED_ADDRESS');
      }
    }
  });

  it('passes resolver errors through', async () => {
    const lookup = guardedLookup(async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nope.invalid'), { code: 'ENOTFOUND' });
    });
    const { err } = await callLookup(lookup, 'nope.invalid', { all: true });
    expect((err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});

describe('preflightUrl', () => {
  it('refuses http, loopback literals in every form and localhost names unless allowed', () => {
    expect(preflightUrl('http://api.example.com/hook', false)).toBe('webhook URLs must use https (http is allowed only with --allow-private-network)');
    for (const url of ['https://127.0.0.1/x', 'https://2130706433/x', 'https://0x7f.1/x', 'https://[::1]/x', 'https://[::ffff:127.0.0.1]/x', 'https://localhost/x', 'https://10.1.2.3/x']) {
      expect(preflightUrl(url, false)).toMatch(/allowed only with --allow-private-network$/);
      expect(preflightUrl(url, true)).toBeNull();
    }
    expect(preflightUrl('https://api.example.com/hook', false)).toBeNull();
    expect(preflightUrl('not a url?key=sk-secret', false)).toBe('the URL is not a valid absolute URL');
  });
});

describe('callIntegration and the private-network rule', () => {
  it('refuses loopback targets without --allow-private-network and never connects', async () => {
    const before = server.connections();
    for (const url of [`${server.origin}/x`, `https://127.0.0.1:${server.port}/x`, `https://2130706433:${server.port}/x`, `https://localhost:${server.port}/x`, `https://[::ffff:0:7f00:1]:${server.port}/x`, `https://[2002:7f00:1::]:${server.port}/x`, `https://[64:ff9b::7f00:1]:${server.port}/x`, `https://localhost.:${server.port}/x`]) {
      const result = await callIntegration(integration(url), payload, { requestId: 'r', allowPrivateNetwork: false });
      expect(result).toMatchObject({ ok: false, failure: 'blocked' });
    }
    expect(server.connections()).toBe(before);
    // The same target is fine when allowed.
    expect(await callIntegration(integration(`${server.origin}/x`), payload, { requestId: 'r', allowPrivateNetwork: true })).toMatchObject({
      ok: true,
      reply: { content: 'reached' },
    });
  });

  it('refuses at connect time a public-looking name that resolves to 127.0.0.1 (DNS smuggling)', async () => {
    const asked: string[] = [];
    const agent = createGuardedAgent({
      allowPrivateNetwork: false,
      resolve: async (host) => {
        asked.push(host);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const before = server.connections();
    const result = await callIntegration(integration(`https://hooks.example.com:${server.port}/x`), payload, {
      requestId: 'r',
      allowPrivateNetwork: false,
      dispatcher: agent,
    });
    expect(result).toMatchObject({
      ok: false,
      failure: 'blocked',
      message: '"hooks.example.com" resolves to 127.0.0.1, a private, loopback or link-local address; allowed only with --allow-private-network',
    });
    expect(asked).toEqual(['hooks.example.com']);
    expect(server.connections()).toBe(before);
    await agent.close();
  });

  it('the guarded lookup hands Node the resolved addresses in the form it asks for (connects when allowed)', async () => {
    const asked: string[] = [];
    const agent = createGuardedAgent({
      allowPrivateNetwork: false,
      resolve: async (host) => {
        asked.push(host);
        return [{ address: '127.0.0.1', family: 4 }];
      },
      isBlocked: () => false,
    });
    const res = await request(`http://hooks.example.com:${server.port}/x`, { method: 'POST', body: '{}', dispatcher: agent });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ content: 'reached' });
    expect(asked).toEqual(['hooks.example.com']);
    await agent.close();
  });

  it('the unguarded agent (allowPrivateNetwork) connects through a name to loopback', async () => {
    const agent = createGuardedAgent({ allowPrivateNetwork: true });
    const result = await callIntegration(integration(`http://localhost:${server.port}/x`), payload, { requestId: 'r', allowPrivateNetwork: true, dispatcher: agent });
    expect(result).toMatchObject({ ok: true, reply: { content: 'reached' } });
    await agent.close();
  });

  it('guardedDispatcher shares one agent per mode', () => {
    expect(guardedDispatcher(false)).toBe(guardedDispatcher(false));
    expect(guardedDispatcher(true)).toBe(guardedDispatcher(true));
    expect(guardedDispatcher(true)).not.toBe(guardedDispatcher(false));
  });
});
