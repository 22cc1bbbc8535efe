/**
 * The Redis store over TLS (`rediss://`) against a real `redis-server --tls-port` whose
 * certificate comes from a CA made in this test: the same contract suite, and a client that
 * trusts another CA fails clearly (health names the certificate problem) instead of hanging.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../runtime/store/redis-store.js';
import { startTlsRedis, type TlsRedisHandle } from '../helpers/redis-topologies.js';
import { storeContract } from './store.contract.js';

let server: TlsRedisHandle;
let raw: Redis;

beforeAll(async () => {
  server = await startTlsRedis();
  raw = new Redis(server.url, { tls: { ca: server.ca }, maxRetriesPerRequest: 1 });
  raw.on('error', () => {});
}, 60_000);
afterAll(async () => {
  raw?.disconnect();
  await server?.stop();
});

const prefixOf = (ns: string): string => `swbtest:${ns}`;

storeContract('redis', {
  async make(ns) {
    const store = createRedisStore(server.url, { keyPrefix: prefixOf(ns), tls: { ca: server.ca } });
    await store.ready();
    return { store, ttl: (key) => raw.ttl(prefixOf(ns) + key), close: () => store.close() };
  },
  async peer(_h, ns) {
    const store = createRedisStore(server.url, { keyPrefix: prefixOf(ns), tls: { ca: server.ca } });
    await store.ready();
    return store;
  },
});

describe('redis store over TLS', () => {
  it('really talks TLS: the TLS port refuses a plain redis:// client', async () => {
    const plain = createRedisStore(server.url.replace('rediss://', 'redis://'), { maxReconnectDelayMs: 100 });
    try {
      await expect(plain.ready(1500)).rejects.toMatchObject({ code: 'SWB_ERR_STORE_UNAVAILABLE' });
    } finally {
      await plain.close();
    }
  });

  it('a certificate from an unknown CA: not connected, health names the certificate problem, calls fail fast', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    const log = { info: () => {}, warn: (o: object) => void warnings.push(o as Record<string, unknown>) };
    const store = createRedisStore(server.url, { tls: { ca: server.wrongCa }, maxReconnectDelayMs: 100, log });
    try {
      await expect(store.ready(1500)).rejects.toThrow(/not connected after 1500 ms \(.*certificate/);
      expect(store.health()).toMatchObject({ kind: 'redis', state: 'down', lastError: expect.stringMatching(/certificate/) });
      const started = Date.now();
      await expect(store.claimOnce('d', 60)).rejects.toMatchObject({ code: 'SWB_ERR_STORE_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(warnings[0]).toMatchObject({ redis: server.url, err: expect.stringMatching(/certificate/) });
    } finally {
      await store.close();
    }
  });
});
