/**
 * Failovers under a running runtime, on real Redis processes: a Redis Cluster master killed
 * while its replica is promoted (3 masters + 3 replicas), and a Sentinel-managed primary
 * killed while the sentinel promotes the replica. During the failover replies keep coming
 * (without history, like any Redis outage); after it, replies carry the history written
 * before the kill again, without a restart. The recovery time is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/runtime.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { nodeClient, startCluster, startSentinelGroup } from '../helpers/redis-topologies.js';
import { chat, configDir, runtimeFor, waitFor } from './helpers.js';

let hook: FakeServer;
let cfg: Awaited<ReturnType<typeof configDir>>;

beforeAll(async () => {
  hook = await startFakeServer((req, res) => {
    const body = req.json as { messages: Array<{ role: string; content: string }> };
    sendJson(res, 200, { content: `seen:${body.messages.map((m) => m.content).join('|')}` });
  });
  cfg = await configDir({
    'bot.yaml': `apiVersion: switchboard/v1
kind: Integration
name: hook
url: ${hook.origin}/hook
timeout: 2s
---
apiVersion: switchboard/v1
kind: Bot
name: fo
contextWindow: 10
channels:
  http: {}
integrations:
  - name: hook
`,
  });
});
afterAll(async () => {
  await Promise.all([hook?.close(), cfg?.remove()]);
});

/**
 * Two turns before the kill, then messages until a reply carries them again. Returns the
 * milliseconds from the kill to that reply; every reply in between must be a 200.
 */
async function survive(runtime: Runtime, user: string, kill: () => Promise<void>): Promise<number> {
  expect((await chat(runtime, 'fo', { user: { id: user }, text: 'one' })).json().content).toBe('seen:one');
  expect((await chat(runtime, 'fo', { user: { id: user }, text: 'two' })).json().content).toMatch(/^seen:one\|seen:one\|two$/);
  await kill();
  const killedAt = Date.now();
  let n = 0;
  await waitFor(
    async () => {
      const started = Date.now();
      const res = await chat(runtime, 'fo', { user: { id: user }, text: `after-${++n}` });
      expect(res.statusCode).toBe(200);
      // Fails fast while Redis is failing over (500 ms command timeout), never hangs; generous for a loaded machine.
      expect(Date.now() - started).toBeLessThan(3000);
      return (res.json().content as string).startsWith('seen:one|seen:one|two|');
    },
    30_000,
    'a reply that carries the history written before the kill',
    50,
  );
  return Date.now() - killedAt;
}

describe('Redis failovers under a running runtime', () => {
  it('a cluster master killed while its replica is promoted: replies resume with history kept', async () => {
    const cluster = await startCluster(3, 1);
    const runtime = await runtimeFor(cfg.dir, { REDIS_CLUSTER_NODES: cluster.nodesEnv });
    try {
      const user = 'cluster-user';
      const key = `swb:h:fo:http:${user}`;
      let killed = 0;
      const ms = await survive(runtime, user, async () => {
        const master = cluster.masterOf(key);
        killed = master;
        // Replication is asynchronous: the replica has the history before its master dies.
        const node = nodeClient(master);
        expect(await node.call('WAIT', '1', '2000')).toBe(1);
        node.disconnect();
        await cluster.kill(master);
      });
      expect(cluster.masterOf(key)).not.toBe(killed);
      expect((await runtime.app.inject('/readyz')).json().store).toEqual({ kind: 'redis', state: 'up' });
      console.log(`cluster failover: replies carry history again ${ms} ms after the master was killed`);
    } finally {
      await runtime.close();
      await cluster.stop();
    }
  }, 60_000);

  it('the Sentinel primary killed: replies resume after the promotion with history kept', async () => {
    const group = await startSentinelGroup();
    const runtime = await runtimeFor(cfg.dir, group.env);
    try {
      const ms = await survive(runtime, 'sentinel-user', async () => {
        const node = nodeClient(group.currentPrimary());
        expect(await node.call('WAIT', '1', '2000')).toBe(1);
        node.disconnect();
        await group.killPrimary();
      });
      expect(group.currentPrimary()).toBe(group.replicaPort);
      console.log(`sentinel failover: replies carry history again ${ms} ms after the primary was killed`);
    } finally {
      await runtime.close();
      await group.stop();
    }
  }, 60_000);
});
