/**
 * How the Redis store sends: every command started by the I/O callbacks of one event-loop
 * turn goes out in one socket write per node (the sockets — one, or every master's on a
 * Cluster — are corked on the first command and uncorked in the check phase of the same
 * turn; cheaper than the client's auto-pipelining, which builds a pipeline object per node
 * and turn), every call is bounded by a deadline, and every failure becomes the coded store
 * error.
 */
import type { Socket as NetStream } from 'node:net';
import { Redis } from 'ioredis';
import type { RedisClient } from './redis-connection.js';
import type { RedisHealth } from './redis-health.js';

export interface RedisCommands {
  /** Sends one command (corked first, so it shares the turn's write) and maps failures. */
  one<T>(send: () => Promise<T>): Promise<T>;
  /**
   * Sends independent commands together (one write per node, so one round trip) and waits
   * for all; any failure rejects the call with the coded error. Keys may be in different
   * cluster slots: nothing here is a transaction.
   */
  all(sends: ReadonlyArray<() => Promise<unknown>>): Promise<unknown[]>;
}

/**
 * The senders for `redis`, reporting successes and failures to `health`. `deadlineMs` bounds
 * every call even where the client would retry internally (a Cluster following a failover).
 */
export function createRedisCommands(redis: RedisClient, health: RedisHealth, deadlineMs: number): RedisCommands {
  let corked: NetStream[] = [];
  const uncork = (): void => {
    const streams = corked;
    corked = [];
    for (const stream of streams) stream.uncork();
  };
  const corkUntilImmediate = (): void => {
    if (corked.length > 0 || redis.status !== 'ready') return;
    // On a Cluster: every master's socket, since a turn's commands may go to any of them.
    const nodes = redis instanceof Redis ? [redis] : redis.nodes('master');
    for (const node of nodes) {
      if (node.status !== 'ready') continue;
      node.stream.cork();
      corked.push(node.stream);
    }
    if (corked.length > 0) setImmediate(uncork);
  };
  const withDeadline = <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Command timed out')), deadlineMs);
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  };
  const settle = async <T>(work: () => Promise<T>): Promise<T> => {
    corkUntilImmediate();
    try {
      const value = await withDeadline(work());
      if (redis.status === 'ready') health.markUp();
      return value;
    } catch (err) {
      throw health.fail(err);
    }
  };

  return {
    one: (send) => settle(send),
    all: (sends) =>
      settle(() => {
        const started = sends.map((send) => send());
        // Every command is in flight; the first failure decides, the rest must not go unhandled.
        for (const p of started) p.catch(() => {});
        return Promise.all(started);
      }),
  };
}
