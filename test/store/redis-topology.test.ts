/**
 * Reading the Redis topology from the environment: each of the three, credentials where a
 * URL has none, and clear start-up errors (conflicts, malformed values) that name the
 * variable and never echo a password; `switchboard serve` exits 1 on a conflict.
 */
import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../runtime/core/errors.js';
import { describeTopology, redisTopologyFromEnv } from '../../runtime/store/redis-topology.js';
import { ensureBuilt, runCli } from '../cli/built-cli.js';

const fails = (env: NodeJS.ProcessEnv): SwitchboardError => {
  try {
    redisTopologyFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(SwitchboardError);
    expect((err as SwitchboardError).code).toBe('SWB_ERR_STORE_CONFIG');
    return err as SwitchboardError;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
};

describe('redisTopologyFromEnv', () => {
  it('is undefined when no Redis variable is set (or only blanks)', () => {
    expect(redisTopologyFromEnv({})).toBeUndefined();
    expect(redisTopologyFromEnv({ REDIS_URL: '  ', REDIS_PASSWORD: 'x' })).toBeUndefined();
  });

  it('reads one node from REDIS_URL, with TLS for rediss:// and the database index', () => {
    expect(redisTopologyFromEnv({ REDIS_URL: 'redis://r.internal:6380/2' })).toEqual({ kind: 'single', node: { host: 'r.internal', port: 6380, tls: false, db: 2 } });
    expect(redisTopologyFromEnv({ REDIS_URL: 'rediss://r.internal' })).toEqual({ kind: 'single', node: { host: 'r.internal', port: 6379, tls: true } });
  });

  it('applies REDIS_USERNAME / REDIS_PASSWORD only where the URL carries no credentials', () => {
    const env = { REDIS_USERNAME: 'app', REDIS_PASSWORD: 'from-env' };
    expect(redisTopologyFromEnv({ ...env, REDIS_URL: 'redis://h:1' })).toMatchObject({ node: { username: 'app', password: 'from-env' } });
    expect(redisTopologyFromEnv({ ...env, REDIS_URL: 'redis://:in%40url@h:1' })).toEqual({ kind: 'single', node: { host: 'h', port: 1, tls: false, password: 'in@url' } });
    expect(redisTopologyFromEnv({ ...env, REDIS_CLUSTER_NODES: 'a:1, redis://u:p@b:2' })).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 1, tls: false, username: 'app', password: 'from-env' },
        { host: 'b', port: 2, tls: false, username: 'u', password: 'p' },
      ],
    });
    expect(redisTopologyFromEnv({ ...env, REDIS_SENTINELS: 's1:26379,[::1]:26380', REDIS_SENTINEL_NAME: 'main' })).toEqual({
      kind: 'sentinel',
      name: 'main',
      username: 'app',
      password: 'from-env',
      sentinels: [
        { host: 's1', port: 26379, tls: false },
        { host: '::1', port: 26380, tls: false },
      ],
    });
  });

  it('rejects two topologies at once, naming the variables', () => {
    expect(fails({ REDIS_URL: 'redis://h:1', REDIS_CLUSTER_NODES: 'a:1' }).message).toMatch(/^REDIS_URL and REDIS_CLUSTER_NODES are both set/);
    expect(fails({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 's:1', REDIS_SENTINEL_NAME: 'm' }).message).toMatch(/REDIS_CLUSTER_NODES and REDIS_SENTINELS/);
    expect(fails({ REDIS_URL: 'redis://h:1', REDIS_SENTINEL_NAME: 'm' }).message).toMatch(/REDIS_SENTINEL_NAME is set without REDIS_SENTINELS/);
    expect(fails({ REDIS_SENTINELS: 's:1' }).message).toMatch(/REDIS_SENTINELS is set without REDIS_SENTINEL_NAME/);
  });

  it('names the variable and entry of a malformed value, without echoing a password', () => {
    expect(fails({ REDIS_URL: 'h:6379' }).message).toBe('REDIS_URL must start with redis:// or rediss://');
    expect(fails({ REDIS_CLUSTER_NODES: 'a:1,b' }).message).toBe('REDIS_CLUSTER_NODES (entry 2) must be host:port (the port is missing)');
    expect(fails({ REDIS_CLUSTER_NODES: ' , ' }).message).toMatch(/REDIS_CLUSTER_NODES is empty/);
    const bad = fails({ REDIS_URL: 'redis://:s3cret@h:99999' }).message;
    expect(bad).toMatch(/^REDIS_URL is not a valid URL/);
    expect(bad).not.toContain('s3cret');
    expect(fails({ REDIS_URL: 'redis://h:1/x' }).message).toMatch(/REDIS_URL has a database path that is not a number/);
    expect(fails({ REDIS_CLUSTER_NODES: 'a:1,redis://b:2/3' }).message).toBe('REDIS_CLUSTER_NODES (entry 2) names a database: a Redis Cluster has only database 0');
  });

  it('describes a topology for logs without credentials', () => {
    const t = redisTopologyFromEnv({ REDIS_CLUSTER_NODES: 'rediss://u:pw@a:1,b:2', REDIS_PASSWORD: 'pw2' })!;
    expect(describeTopology(t)).toBe('cluster rediss://a:1,redis://b:2');
    expect(describeTopology(redisTopologyFromEnv({ REDIS_SENTINELS: 's:1', REDIS_SENTINEL_NAME: 'm' })!)).toBe('sentinel m via redis://s:1');
  });
});

describe('switchboard serve with conflicting Redis variables', () => {
  it('exits 1 naming both variables, before loading any config', async () => {
    ensureBuilt();
    const r = await runCli(['serve', '--config', 'examples/config', '--port', '0'], { env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_SENTINELS: '127.0.0.1:2', REDIS_SENTINEL_NAME: 'm' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('switchboard serve: REDIS_URL and REDIS_SENTINELS are both set');
    expect(r.stdout).toBe('');
  }, 60_000);
});
