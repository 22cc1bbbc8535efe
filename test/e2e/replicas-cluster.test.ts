/**
 * Two runtime instances on a real three-master Redis Cluster (`REDIS_CLUSTER_NODES`), as two
 * replicas behind a load balancer: they agree on every user's A/B arm, share conversation
 * history and the experiment stats, and a Telegram update delivered to both is answered once
 * (through the durable queue, whose keys live on the cluster too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/runtime.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { nodeClient, startCluster, type ClusterHandle } from '../helpers/redis-topologies.js';
import { chat, configDir, runtimeFor, waitFor } from './helpers.js';

const SECRET = 'tg-cluster-secret-0123456789';

let cluster: ClusterHandle;
let armA: FakeServer;
let armB: FakeServer;
let telegram: FakeTelegram;
let cfg: Awaited<ReturnType<typeof configDir>>;
let r1: Runtime;
let r2: Runtime;

const reply = (arm: string) => (req: { json: unknown }, res: Parameters<typeof sendJson>[0]) => {
  const body = req.json as { messages: Array<{ role: string; content: string }> };
  sendJson(res, 200, { content: `${arm}:${body.messages.length}` });
};

function yaml(a: string, b: string, tg: string): string {
  return `apiVersion: switchboard/v1
kind: Integration
name: arm-a
url: ${a}/hook
timeout: 2s
---
apiVersion: switchboard/v1
kind: Integration
name: arm-b
url: ${b}/hook
timeout: 2s
---
apiVersion: switchboard/v1
kind: Bot
name: ab
contextWindow: 4
channels:
  http: {}
  telegram:
    token: \${TG_TOKEN}
    secretToken: \${TG_SECRET}
    apiUrl: ${tg}
integrations:
  - name: arm-a
    weight: 50
  - name: arm-b
    weight: 50
`;
}

beforeAll(async () => {
  cluster = await startCluster(3);
  armA = await startFakeServer(reply('a'));
  armB = await startFakeServer(reply('b'));
  telegram = await startFakeTelegram();
  cfg = await configDir({ 'ab.yaml': yaml(armA.origin, armB.origin, telegram.url) });
  const env = { REDIS_CLUSTER_NODES: cluster.nodesEnv, SWITCHBOARD_FILES_SECRET: 'shared-files-secret', TG_TOKEN: telegram.token, TG_SECRET: SECRET };
  r1 = await runtimeFor(cfg.dir, env);
  r2 = await runtimeFor(cfg.dir, env);
}, 60_000);

afterAll(async () => {
  await r1?.close();
  await r2?.close();
  await Promise.all([armA?.close(), armB?.close(), telegram?.close(), cfg?.remove()]);
  await cluster?.stop();
});

describe('two replicas on a Redis Cluster', () => {
  it('agree on the arm of every user, share history and the stats', async () => {
    expect((await r1.app.inject('/readyz')).json()).toMatchObject({ store: { kind: 'redis', state: 'up' } });
    const users = 60;
    const seen = new Set<string>();
    for (let i = 0; i < users; i++) {
      const first = await chat(i % 2 ? r1 : r2, 'ab', { user: { id: `user-${i}` }, text: 'one' });
      const second = await chat(i % 2 ? r2 : r1, 'ab', { user: { id: `user-${i}` }, text: 'two' });
      expect(first.statusCode).toBe(200);
      const arm = first.json().integration as string;
      seen.add(arm);
      expect(second.json().integration).toBe(arm);
      // The second message, on the other replica, carried the first turn (user, assistant, user).
      expect(second.json().content).toBe(`${arm === 'arm-a' ? 'a' : 'b'}:3`);
    }
    expect(seen).toEqual(new Set(['arm-a', 'arm-b']));
    const count = (s: { integrations: Array<{ requests: number }> }): number => s.integrations.reduce((n, x) => n + x.requests, 0);
    await waitFor(
      async () => {
        const one = (await r1.app.inject('/bots/ab/stats')).json();
        const two = (await r2.app.inject('/bots/ab/stats')).json();
        return count(one) >= 2 * users && count(two) === count(one);
      },
      15_000,
      'both replicas to report the shared stats',
      50,
    );
  });

  it('answers a Telegram update delivered to both replicas once', async () => {
    const update = { update_id: 4711, message: { message_id: 1, date: 1, chat: { id: 31337, type: 'private' }, from: { id: 31337, is_bot: false, first_name: 'Ada' }, text: 'hello twice' } };
    const post = (r: Runtime, body: unknown) =>
      r.app.inject({ method: 'POST', url: '/channels/telegram/ab', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, payload: JSON.stringify(body) });
    const [a, b] = await Promise.all([post(r1, update), post(r2, update)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    await telegram.waitFor('sendMessage', 1, 10_000);
    // Telegram re-sends it later, to either replica; then the user writes again.
    expect((await post(r2, update)).statusCode).toBe(200);
    const next = { ...update, update_id: 4712, message: { ...update.message, message_id: 2, text: 'next' } };
    expect((await post(r1, next)).statusCode).toBe(200);
    const sent = await telegram.waitFor('sendMessage', 2, 10_000);
    // One answer per update; the second carries the first turn as history (user, assistant, user).
    expect(sent.map((c) => c.params.text)).toEqual([expect.stringMatching(/^[ab]:1$/), expect.stringMatching(/^[ab]:3$/)]);
    // Both went through the durable queue on the cluster (its hash-tagged partition keys).
    const queueKeys: string[] = [];
    for (const port of cluster.masterPorts()) {
      const node = nodeClient(port);
      queueKeys.push(...(await node.keys('swb:{dq:*')));
      node.disconnect();
    }
    expect(queueKeys.length).toBeGreaterThan(0);
  });
});
