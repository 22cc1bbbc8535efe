import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from '../../runtime/queue/keyed-queue.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('keyed queue', () => {
  it('runs jobs of one key in order and of different keys concurrently', async () => {
    const q = createKeyedQueue();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([q.run('a', job('a1', 30)), q.run('a', job('a2', 1)), q.run('b', job('b1', 5))]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('keeps going after a failed job and drains', async () => {
    const q = createKeyedQueue();
    const failing = q.run('k', async () => {
      throw new Error('boom');
    });
    const next = q.run('k', async () => 2);
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe(2);
    let done = false;
    void q.run('k', async () => {
      await tick(20);
      done = true;
    });
    expect(q.size).toBe(1);
    await q.drain();
    expect(done).toBe(true);
    expect(q.size).toBe(0);
  });

  it('keeps arrival order for many jobs of one key, including jobs that throw synchronously', async () => {
    const q = createKeyedQueue();
    const order: number[] = [];
    const runs = Array.from({ length: 50 }, (_, i) =>
      q.run('k', () => {
        if (i % 7 === 3) throw new Error(`sync ${i}`);
        return (async () => {
          await tick(i % 3);
          order.push(i);
          return i;
        })();
      }),
    );
    const settled = await Promise.allSettled(runs);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 7 !== 3));
    expect(settled.filter((r) => r.status === 'rejected')).toHaveLength(7);
    expect(q.size).toBe(0);
  });

  it('drain() waits for jobs queued behind a running one', async () => {
    const q = createKeyedQueue();
    const done: string[] = [];
    void q.run('k', async () => {
      await tick(15);
      done.push('first');
    });
    void q.run('k', async () => {
      await tick(5);
      done.push('second');
    });
    expect(q.size).toBe(2);
    await q.drain();
    expect(done).toEqual(['first', 'second']);
  });
});
