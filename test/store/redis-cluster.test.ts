/**
 * The Redis store on a real three-master Redis Cluster: the same contract suite as on one
 * node, keys of different conversations and users spread over several masters, and the turn
 * scripts re-sent to a node that lost them (SCRIPT FLUSH).
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyKey } from '../../runtime/pipeline/pipeline.js';
import { assignmentKey } from '../../runtime/routing/plan.js';
import { createRedisStore } from '../../runtime/store/redis-store.js';
import { redisTopologyFromEnv, type RedisTopology } from '../../runtime/store/redis-topology.js';
import { nodeClient, startCluster, type ClusterHandle } from '../helpers/redis-topologies.js';
import { storeContract } from './store.contract.js';

let cluster: ClusterHandle;
let topology: RedisTopology;
let raw: Cluster;

beforeAll(async () => {
  cluster = await startCluster(3);
  topology = redisTopologyFromEnv({ REDIS_CLUSTER_NODES: cluster.nodesEnv })!;
  raw = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0]! }], { redisOptions: { maxRetriesPerRequest: 1 } });
  raw.on('error', () => {});
}, 60_000);
afterAll(async () => {
  raw?.disconnect();
  await cluster?.stop();
});

const prefixOf = (ns: string): string => `swbtest:${ns}`;

storeContract('redis', {
  async make(ns) {
    const store = createRedisStore(topology, { keyPrefix: prefixOf(ns) });
    await store.ready();
    return { store, ttl: (key) => raw.ttl(prefixOf(ns) + key), close: () => store.close() };
  },
  async peer(_h, ns) {
    const store = createRedisStore(topology, { keyPrefix: prefixOf(ns) });
    await store.ready();
    return store;
  },
});

describe('redis store on a cluster', () => {
  it('spreads the keys of different users and conversations over more than one master', async () => {
    const store = createRedisStore(topology);
    await store.ready();
    try {
      const keys: string[] = [];
      for (let i = 0; i < 24; i++) {
        const h = historyKey({ bot: 'spread', channel: 'http', conversationId: `conv-${i}` } as Parameters<typeof historyKey>[0]);
        const a = assignmentKey('spread', `user:http:user-${i}`);
        const turn = await store.beginTurn({ historyKey: h, limit: 4, assignment: { key: a, candidate: 'x', ttlSeconds: 60 } });
        expect(turn.assigned).toBe(true);
        await store.endTurn({ historyKey: h, messages: [{ role: 'user', content: `m${i}` }], maxLength: 8, ttlSeconds: 60, counters: [{ key: 'stats:spread', field: 'x:requests', by: 1 }] });
        keys.push(`swb:${h}`, `swb:${a}`);
      }
      const owners = new Map<number, number>();
      for (const key of keys) {
        const port = cluster.masterOf(key);
        owners.set(port, (owners.get(port) ?? 0) + 1);
        // The key is really stored on the master that serves its slot.
        const node = nodeClient(port);
        try {
          expect(await node.exists(key), key).toBe(1);
        } finally {
          node.disconnect();
        }
      }
      expect(owners.size).toBeGreaterThan(1);
      expect(await store.readCounters('stats:spread')).toEqual({ 'x:requests': 24 });
    } finally {
      await store.close();
    }
  });

  it('re-sends the turn scripts to every node that lost them (NOSCRIPT)', async () => {
    const store = createRedisStore(topology, { keyPrefix: prefixOf('noscript:') });
    await store.ready();
    try {
      const turn = (i: number) => store.beginTurn({ historyKey: `h:${i}`, limit: 5, assignment: { key: `a:${i}`, candidate: 'x', ttlSeconds: 60 } });
      for (let i = 0; i < 12; i++) {
        await turn(i);
        await store.endTurn({ historyKey: `h:${i}`, messages: [{ role: 'user', content: `before-${i}` }], maxLength: 5, ttlSeconds: 60 });
      }
      for (const port of cluster.masterPorts()) {
        const node = nodeClient(port);
        await node.script('FLUSH');
        node.disconnect();
      }
      for (let i = 0; i < 12; i++) {
        await store.endTurn({ historyKey: `h:${i}`, messages: [{ role: 'user', content: `after-${i}` }], maxLength: 5, ttlSeconds: 60 });
        expect(await turn(i)).toEqual({ history: [{ role: 'user', content: `before-${i}` }, { role: 'user', content: `after-${i}` }], assignment: 'x', assigned: false });
      }
    } finally {
      await store.close();
    }
  });
});
