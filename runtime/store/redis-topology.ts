/**
 * Which Redis the runtime talks to, read from the environment: one node (`REDIS_URL`,
 * `redis://` or `rediss://`), a Redis Cluster (`REDIS_CLUSTER_NODES`) or a Sentinel-managed
 * primary (`REDIS_SENTINELS` + `REDIS_SENTINEL_NAME`). `REDIS_USERNAME` / `REDIS_PASSWORD`
 * fill in credentials where a URL carries none. A pure function, so a bad value is reported
 * at start-up, naming the variable, before anything connects.
 */
import { SwitchboardError } from '../core/errors.js';

/** A host and port, with the TLS flag and credentials of the URL it came from (if any). */
export interface RedisEndpoint {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
  /** Database index of a `redis://host/2` URL (single node only). */
  db?: number;
}

export type RedisTopology =
  | { kind: 'single'; node: RedisEndpoint }
  | { kind: 'cluster'; nodes: RedisEndpoint[] }
  | { kind: 'sentinel'; sentinels: RedisEndpoint[]; name: string; username?: string; password?: string };

const TOPOLOGY_VARIABLES = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const;

const invalid = (message: string): SwitchboardError => new SwitchboardError('SWB_ERR_STORE_CONFIG', message);

/**
 * The topology the environment asks for, or undefined when no Redis variable is set (the
 * in-memory store). Throws `SWB_ERR_STORE_CONFIG` naming the variables when more than one
 * topology is set or a value cannot be parsed.
 */
export function redisTopologyFromEnv(env: NodeJS.ProcessEnv): RedisTopology | undefined {
  const set = TOPOLOGY_VARIABLES.filter((name) => (env[name] ?? '').trim() !== '');
  if (set.length > 1) {
    throw invalid(`${set.join(' and ')} are both set: choose one Redis topology (unset all but one)`);
  }
  const name = (env.REDIS_SENTINEL_NAME ?? '').trim();
  if (name && set[0] !== 'REDIS_SENTINELS') {
    throw invalid('REDIS_SENTINEL_NAME is set without REDIS_SENTINELS: set both for Sentinel, or unset REDIS_SENTINEL_NAME');
  }
  const credentials = { username: env.REDIS_USERNAME || undefined, password: env.REDIS_PASSWORD || undefined };
  switch (set[0]) {
    case undefined:
      return undefined;
    case 'REDIS_URL': {
      const node = parseEndpoint((env.REDIS_URL ?? '').trim(), 'REDIS_URL', { requireUrl: true });
      return { kind: 'single', node: withCredentials(node, credentials) };
    }
    case 'REDIS_CLUSTER_NODES': {
      const nodes = parseList(env.REDIS_CLUSTER_NODES ?? '', 'REDIS_CLUSTER_NODES');
      const withDb = nodes.findIndex((n) => n.db !== undefined && n.db !== 0);
      if (withDb >= 0) throw invalid(`REDIS_CLUSTER_NODES (entry ${withDb + 1}) names a database: a Redis Cluster has only database 0`);
      return { kind: 'cluster', nodes: nodes.map((n) => withCredentials(n, credentials)) };
    }
    case 'REDIS_SENTINELS': {
      if (!name) throw invalid('REDIS_SENTINELS is set without REDIS_SENTINEL_NAME: set it to the master name the sentinels monitor');
      const sentinels = parseList(env.REDIS_SENTINELS ?? '', 'REDIS_SENTINELS');
      return { kind: 'sentinel', sentinels, name, ...dropUndefined(credentials) };
    }
  }
}

function parseList(value: string, variable: string): RedisEndpoint[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw invalid(`${variable} is empty: give host:port or redis:// URLs, separated by commas`);
  return items.map((item, i) => parseEndpoint(item, `${variable} (entry ${i + 1})`, { requireUrl: false }));
}

/** `host:port`, `[v6]:port`, `redis://…` or `rediss://…`; the error names `where` but never echoes a password. */
function parseEndpoint(text: string, where: string, opts: { requireUrl: boolean }): RedisEndpoint {
  const isUrl = /^rediss?:\/\//i.test(text);
  if (!isUrl && opts.requireUrl) throw invalid(`${where} must start with redis:// or rediss://`);
  let url: URL;
  try {
    url = new URL(isUrl ? text : `redis://${text}`);
  } catch {
    throw invalid(`${where} is not a valid ${isUrl ? 'URL' : 'host:port'}`);
  }
  if (!url.hostname) throw invalid(`${where} has no host`);
  if (!isUrl && !url.port) throw invalid(`${where} must be host:port (the port is missing)`);
  const port = url.port ? Number(url.port) : 6379;
  const endpoint: RedisEndpoint = { host: url.hostname.replace(/^\[|\]$/g, ''), port, tls: url.protocol === 'rediss:' };
  if (url.username) endpoint.username = decodeURIComponent(url.username);
  if (url.password) endpoint.password = decodeURIComponent(url.password);
  const path = url.pathname.replace(/^\//, '');
  if (path) {
    if (!/^\d+$/.test(path)) throw invalid(`${where} has a database path that is not a number`);
    endpoint.db = Number(path);
  }
  return endpoint;
}

/** Environment credentials apply only where the URL carries none (a URL password wins). */
function withCredentials(node: RedisEndpoint, env: { username: string | undefined; password: string | undefined }): RedisEndpoint {
  if (node.password !== undefined || node.username !== undefined) return node;
  return { ...node, ...dropUndefined(env) };
}

function dropUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** One line naming the topology for logs: hosts and ports only, never credentials. */
export function describeTopology(t: RedisTopology): string {
  const show = (e: RedisEndpoint): string => `${e.tls ? 'rediss' : 'redis'}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
  switch (t.kind) {
    case 'single':
      return show(t.node) + (t.node.db ? `/${t.node.db}` : '');
    case 'cluster':
      return `cluster ${t.nodes.map(show).join(',')}`;
    case 'sentinel':
      return `sentinel ${t.name} via ${t.sentinels.map(show).join(',')}`;
  }
}
