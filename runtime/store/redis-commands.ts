/**
 * How the Redis store sends: every command or pipeline started by the I/O callbacks of one
 * event-loop turn goes out in one socket write (the socket is corked on the first and
 * uncorked in the check phase of the same turn, so the wait is at most the rest of that
 * turn), and every failure becomes the coded store error.
 */
import type { Socket as NetStream } from 'node:net';
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisHealth } from './redis-health.js';

export interface RedisCommands {
  /** Runs a pipeline; any failed command rejects the whole call with a coded error. */
  run(pipeline: ChainableCommander): Promise<unknown[]>;
  /** Sends one command (corked first, so it shares the turn's write) and maps failures. */
  one<T>(send: () => Promise<T>): Promise<T>;
}

/** The senders for `redis`, reporting successes and failures to `health`. */
export function createRedisCommands(redis: Redis, health: RedisHealth): RedisCommands {
  let corked: NetStream | undefined;
  const uncork = (): void => {
    const stream = corked;
    corked = undefined;
    stream?.uncork();
  };
  const corkUntilImmediate = (): void => {
    if (corked || redis.status !== 'ready') return;
    corked = redis.stream;
    corked.cork();
    setImmediate(uncork);
  };

  return {
    async run(pipeline) {
      let results: [Error | null, unknown][] | null;
      try {
        corkUntilImmediate();
        results = await pipeline.exec();
      } catch (err) {
        throw health.fail(err);
      }
      if (!results) throw health.fail(new Error('pipeline was discarded'));
      const out: unknown[] = [];
      for (const [err, value] of results) {
        if (err) throw health.fail(err);
        out.push(value);
      }
      if (redis.status === 'ready') health.markUp();
      return out;
    },
    async one<T>(send: () => Promise<T>): Promise<T> {
      corkUntilImmediate();
      try {
        const value = await send();
        if (redis.status === 'ready') health.markUp();
        return value;
      } catch (err) {
        throw health.fail(err);
      }
    },
  };
}
