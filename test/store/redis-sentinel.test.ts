/**
 * The Redis store behind a real Sentinel group (primary, replica, one sentinel): the same
 * contract suite as on one node, and a killed primary survived: calls fail fast during the
 * failover, then the store follows the promoted replica by itself with the history kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../runtime/store/redis-store.js';
import { redisTopologyFromEnv, type RedisTopology } from '../../runtime/store/redis-topology.js';
import { waitFor } from '../helpers/config-tree.js';
import { nodeClient, startSentinelGroup, type SentinelHandle } from '../helpers/redis-topologies.js';
import { storeContract } from './store.contract.js';

let group: SentinelHandle;
let topology: RedisTopology;

beforeAll(async () => {
  group = await startSentinelGroup();
  topology = redisTopologyFromEnv(group.env)!;
}, 60_000);
afterAll(async () => {
  await group?.stop();
});

const prefixOf = (ns: string): string => `swbtest:${ns}`;

storeContract('redis', {
  async make(ns) {
    const store = createRedisStore(topology, { keyPrefix: prefixOf(ns) });
    await store.ready();
    return {
      store,
      ttl: async (key) => {
        const node = nodeClient(group.currentPrimary());
        try {
          return await node.ttl(prefixOf(ns) + key);
        } finally {
          node.disconnect();
        }
      },
      close: () => store.close(),
    };
  },
  async peer(_h, ns) {
    const store = createRedisStore(topology, { keyPrefix: prefixOf(ns) });
    await store.ready();
    return store;
  },
});

describe('redis store behind sentinel', () => {
  it('a planned failover (SENTINEL FAILOVER, the old primary stays up): writes reach the new primary', async () => {
    const store = createRedisStore(topology, { keyPrefix: prefixOf('planned:'), maxReconnectDelayMs: 200 });
    await store.ready();
    try {
      const old = group.currentPrimary();
      await store.claimOnce('before', 60);
      const sentinel = nodeClient(group.sentinelPort);
      expect(await sentinel.call('SENTINEL', 'FAILOVER', group.name)).toBe('OK');
      sentinel.disconnect();
      await waitFor(() => group.currentPrimary() !== old, 20_000, 'the sentinel to name a new primary', 50);
      // Until the store follows, writes fail (READONLY, a dropped connection) or still land
      // on the old primary (lost when it is demoted: Redis replication is asynchronous).
      const primary = nodeClient(group.currentPrimary());
      const demoted = nodeClient(old);
      try {
        let n = 0;
        await waitFor(
          async () => {
            const key = `after-${++n}`;
            const first = await store.claimOnce(key, 60).catch(() => false);
            return first && (await primary.exists(`${prefixOf('planned:')}${key}`)) === 1;
          },
          20_000,
          'a write through the store that lands on the new primary',
          50,
        );
        // The old primary is now a replica that follows the new one (the next test needs it).
        await waitFor(async () => /master_link_status:up/.test(await demoted.info('replication').catch(() => '')), 20_000, 'the old primary to replicate the new one', 100);
      } finally {
        primary.disconnect();
        demoted.disconnect();
      }
    } finally {
      await store.close();
    }
  }, 45_000);

  it('a killed primary: calls fail fast, then the store follows the promoted replica with history kept', async () => {
    const infos: string[] = [];
    const log = { info: (_o: object, msg: string) => void infos.push(msg), warn: () => {} };
    const store = createRedisStore(topology, { keyPrefix: prefixOf('failover:'), maxReconnectDelayMs: 200, log });
    await store.ready();
    try {
      await store.endTurn({ historyKey: 'h', messages: [{ role: 'user', content: 'before' }], maxLength: 10, ttlSeconds: 60 });
      // Replication is asynchronous: make sure the replica has the write before the primary dies.
      const primary = nodeClient(group.currentPrimary());
      expect(await primary.call('WAIT', '1', '2000')).toBe(1);
      primary.disconnect();

      const old = await group.killPrimary();
      const killedAt = Date.now();
      const started = Date.now();
      await expect(store.beginTurn({ historyKey: 'h', limit: 5 })).rejects.toMatchObject({ code: 'SWB_ERR_STORE_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(1500);

      const history = await waitFor(
        async () => (await store.beginTurn({ historyKey: 'h', limit: 5 }).catch(() => undefined))?.history,
        30_000,
        'the store to answer from the promoted replica',
        50,
      ).catch((err: Error) => {
        throw new Error(`${err.message} (the sentinel names ${group.currentPrimary()} as primary, ${old} was killed; the store's last error: ${store.health().lastError})`);
      });
      const recoveredMs = Date.now() - killedAt;
      expect(history).toEqual([{ role: 'user', content: 'before' }]);
      expect(group.currentPrimary()).not.toBe(old);
      // The client may reconnect once more when the sentinel announces the switch: a call can
      // still fail right after the first success, as in any outage; retried here like a re-delivery.
      const retry = <T>(what: string, call: () => Promise<T>): Promise<T> =>
        waitFor(() => call().then((v) => ({ v }), () => undefined), 10_000, what, 50).then((r) => r.v);
      await retry('a write after the failover', () => store.endTurn({ historyKey: 'h', messages: [{ role: 'assistant', content: 'after' }], maxLength: 10, ttlSeconds: 60 }));
      const after = await retry('a read after the failover', () => store.beginTurn({ historyKey: 'h', limit: 5 }));
      expect(after.history.map((m) => m.content)).toEqual(['before', 'after']);
      await waitFor(() => store.health().state === 'up', 5000, 'health up again');
      expect(infos).toContain('history store is back up');
      console.log(`sentinel failover: store answering again ${recoveredMs} ms after the primary was killed`);
    } finally {
      await store.close();
    }
  }, 45_000);
});
