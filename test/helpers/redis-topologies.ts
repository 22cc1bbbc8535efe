/**
 * Real Redis topologies for tests, built from `redis-server` and `redis-cli` on PATH, on free
 * loopback ports, in a temporary directory: a Cluster (`--cluster-enabled yes` per node +
 * `redis-cli --cluster create … --cluster-yes`, optionally one replica per master), a
 * Sentinel group (primary, replica, one sentinel with a short `down-after-milliseconds`) and
 * a TLS server (`--tls-port`, with a CA and certificates made by openssl in the test).
 * Processes are registered with the cleanup of test/helpers/redis.ts.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './config-tree.js';
import { freePort, launchRedisServer, terminate } from './redis.js';

interface Node {
  port: number;
  child: ChildProcess | undefined;
}

function cli(args: readonly string[], timeout = 10_000): string {
  const r = spawnSync('redis-cli', args, { encoding: 'utf8', timeout });
  if (r.error) throw new Error(`cannot run redis-cli (install redis-tools): ${r.error.message}`);
  return `${r.stdout}${r.stderr}`;
}

async function stopAll(nodes: Node[], dir: string): Promise<void> {
  await Promise.all(nodes.map(async (n) => (n.child ? terminate(n.child, 'SIGKILL') : undefined)));
  rmSync(dir, { recursive: true, force: true });
}

export interface ClusterHandle {
  /** Every node, masters first as created (`--cluster-replicas` decides the pairing). */
  ports: number[];
  /** `REDIS_CLUSTER_NODES` for these nodes. */
  nodesEnv: string;
  /** Ports of the nodes that are masters now (asks the cluster). */
  masterPorts(): number[];
  /** Port of the master serving `key`'s slot now (`key` as stored, prefix included). */
  masterOf(key: string): number;
  /** SIGKILLs one node. */
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `masters` masters (+ `replicasPerMaster` each) and waits until every node says `cluster_state:ok`. */
export async function startCluster(masters = 3, replicasPerMaster = 0): Promise<ClusterHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'swb-cluster-'));
  const nodes: Node[] = [];
  try {
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++) {
      const port = await freePort();
      const bus = await freePort();
      const child = await launchRedisServer(port, [
        '--cluster-enabled', 'yes',
        '--cluster-port', String(bus),
        '--cluster-config-file', join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout', '1000',
        // A replica may take over however long it was cut off (tests kill masters on purpose).
        '--cluster-replica-validity-factor', '0',
        '--dir', dir,
      ]);
      nodes.push({ port, child });
    }
    const ports = nodes.map((n) => n.port);
    const out = cli(['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], 30_000);
    if (!/All \d+ slots covered/.test(out)) throw new Error(`redis-cli --cluster create failed: ${out}`);
    await waitFor(() => ports.every((p) => /cluster_state:ok/.test(cli(['-p', String(p), 'cluster', 'info']))), 20_000, 'cluster_state:ok on every node', 100);
    if (replicasPerMaster > 0) {
      // Each replica has synced, so a killed master can be replaced.
      await waitFor(() => ports.filter((p) => /master_link_status:up/.test(cli(['-p', String(p), 'info', 'replication']))).length === masters * replicasPerMaster, 20_000, 'every replica in sync', 100);
    }
  } catch (err) {
    await stopAll(nodes, dir);
    throw err;
  }
  const live = (): Node[] => nodes.filter((n) => n.child && n.child.exitCode === null && n.child.signalCode === null);
  const ask = (args: string[]): string => {
    for (const n of live()) {
      const out = cli(['-p', String(n.port), ...args]);
      if (!/Could not connect/.test(out)) return out;
    }
    throw new Error('no cluster node answers');
  };
  return {
    ports: nodes.map((n) => n.port),
    nodesEnv: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    masterPorts() {
      return ask(['cluster', 'nodes'])
        .split('\n')
        .filter((line) => isLiveMaster(line) && /\d+-\d+/.test(line))
        .map((line) => Number(/:(\d+)@/.exec(line)?.[1]));
    },
    masterOf(key) {
      const slot = Number(ask(['cluster', 'keyslot', key]).trim());
      const line = ask(['cluster', 'nodes'])
        .split('\n')
        .find((l) => isLiveMaster(l) && l.split(' ').slice(8).some((r) => inRange(r, slot)));
      if (!line) throw new Error(`no master serves slot ${slot}`);
      return Number(/:(\d+)@/.exec(line)?.[1]);
    },
    async kill(port) {
      const n = nodes.find((x) => x.port === port);
      const c = n?.child;
      if (n) n.child = undefined;
      if (c) await terminate(c, 'SIGKILL');
    },
    stop: () => stopAll(nodes, dir),
  };
}

/**
 * A CLUSTER NODES line of a master not marked failed. Only the `fail` flag counts: `fail?`
 * (a node that missed pings, common on a loaded machine with the tests' short node timeout)
 * still serves its slots, and treating it as gone made the failover test flaky.
 */
function isLiveMaster(line: string): boolean {
  const flags = (line.split(' ')[2] ?? '').split(',');
  return flags.includes('master') && !flags.includes('fail');
}

function inRange(range: string, slot: number): boolean {
  const [from, to] = range.split('-').map(Number);
  return from !== undefined && !Number.isNaN(from) && slot >= from && slot <= (to ?? from);
}

export interface SentinelHandle {
  primaryPort: number;
  replicaPort: number;
  sentinelPort: number;
  name: string;
  /** `REDIS_SENTINELS` + `REDIS_SENTINEL_NAME` for this group. */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string };
  /** The port the sentinel reports as primary now. */
  currentPrimary(): number;
  /** SIGKILLs the current primary. */
  killPrimary(): Promise<number>;
  stop(): Promise<void>;
}

/** A primary, one replica in sync and one sentinel (down after 1 s, quorum 1). */
export async function startSentinelGroup(name = 'swbprimary'): Promise<SentinelHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'swb-sentinel-'));
  const nodes: Node[] = [];
  try {
    const primaryPort = await freePort();
    nodes.push({ port: primaryPort, child: await launchRedisServer(primaryPort, ['--dir', dir]) });
    const replicaPort = await freePort();
    nodes.push({ port: replicaPort, child: await launchRedisServer(replicaPort, ['--dir', dir, '--replicaof', '127.0.0.1', String(primaryPort)]) });
    await waitFor(() => /master_link_status:up/.test(cli(['-p', String(replicaPort), 'info', 'replication'])), 15_000, 'the replica in sync', 50);
    const sentinelPort = await freePort();
    // Sentinel rewrites its config file, so it must be a writable file of its own.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, [
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 10000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'));
    nodes.push({ port: sentinelPort, child: await launchRedisServer(sentinelPort, ['--sentinel'], conf) });
    await waitFor(() => /slaves=1/.test(cli(['-p', String(sentinelPort), 'info', 'sentinel'])), 15_000, 'the sentinel to see the replica', 50);
    const currentPrimary = (): number => Number(cli(['-p', String(sentinelPort), 'sentinel', 'get-master-addr-by-name', name]).trim().split('\n')[1]);
    return {
      primaryPort,
      replicaPort,
      sentinelPort,
      name,
      env: { REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`, REDIS_SENTINEL_NAME: name },
      currentPrimary,
      async killPrimary() {
        const port = currentPrimary();
        const n = nodes.find((x) => x.port === port);
        const c = n?.child;
        if (n) n.child = undefined;
        if (c) await terminate(c, 'SIGKILL');
        return port;
      },
      stop: () => stopAll(nodes, dir),
    };
  } catch (err) {
    await stopAll(nodes, dir);
    throw err;
  }
}

export interface TlsRedisHandle {
  /** `rediss://127.0.0.1:<tls port>`. */
  url: string;
  /** PEM of the CA that signed the server certificate. */
  ca: string;
  /** PEM of another CA, which did not. */
  wrongCa: string;
  stop(): Promise<void>;
}

/** A redis-server answering TLS on its own port, with a certificate for 127.0.0.1 from a CA made here. */
export async function startTlsRedis(): Promise<TlsRedisHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'swb-tls-'));
  const ssl = (args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  const makeCa = (stem: string): void => ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${stem}.key`, '-out', `${stem}.crt`, '-days', '2', '-subj', `/CN=${stem}`]);
  makeCa('ca');
  makeCa('wrong-ca');
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext']);
  const plainPort = await freePort();
  const tlsPort = await freePort();
  const child = await launchRedisServer(plainPort, [
    '--tls-port', String(tlsPort),
    '--tls-cert-file', join(dir, 'server.crt'),
    '--tls-key-file', join(dir, 'server.key'),
    '--tls-ca-cert-file', join(dir, 'ca.crt'),
    '--tls-auth-clients', 'no',
    '--dir', dir,
  ]);
  return {
    url: `rediss://127.0.0.1:${tlsPort}`,
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    wrongCa: readFileSync(join(dir, 'wrong-ca.crt'), 'utf8'),
    stop: async () => {
      await terminate(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A plain client on one node's port (no cluster routing), for inspecting it in tests. It
 * reconnects (a sentinel drops the clients of an instance it reconfigures); disconnect it.
 */
export function nodeClient(port: number): Redis {
  const r = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  r.on('error', () => {});
  return r;
}
