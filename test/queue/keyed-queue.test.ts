import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from '../../runtime/queue/keyed-queue.js';

/** A promise the test settles by hand: jobs finish exactly when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets every pending promise callback run (no timer involved). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('keyed queue', () => {
  it('runs jobs of one key in order and of different keys concurrently', async () => {
    const q = createKeyedQueue();
    const log: string[] = [];
    const gates = { a1: gate(), a2: gate(), b1: gate() };
    const job = (name: keyof typeof gates) => async () => {
      log.push(`start ${name}`);
      await gates[name].promise;
      log.push(`end ${name}`);
      return name;
    };
    const results = Promise.all([q.run('a', job('a1')), q.run('a', job('a2')), q.run('b', job('b1'))]);
    await flush();
    // a2 waits behind a1; b1 runs beside it.
    expect(log).toEqual(['start a1', 'start b1']);
    gates.a2.open();
    gates.b1.open();
    await flush();
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    gates.a1.open();
    expect(await results).toEqual(['a1', 'a2', 'b1']);
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
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
    const held = gate();
    void q.run('k', async () => {
      await held.promise;
      done = true;
    });
    expect(q.size).toBe(1);
    const drained = q.drain();
    await flush();
    expect(done).toBe(false);
    held.open();
    await drained;
    expect(done).toBe(true);
    expect(q.size).toBe(0);
  });

  it('keeps arrival order for many jobs of one key, including jobs that throw synchronously', async () => {
    const q = createKeyedQueue();
    const order: number[] = [];
    // Later jobs would finish first if they ran concurrently: each waits fewer turns than the one before.
    const runs = Array.from({ length: 50 }, (_, i) =>
      q.run('k', () => {
        if (i % 7 === 3) throw new Error(`sync ${i}`);
        return (async () => {
          for (let turn = 0; turn < (50 - i) % 4; turn++) await flush();
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
    const first = gate();
    const second = gate();
    void q.run('k', async () => {
      await first.promise;
      done.push('first');
    });
    void q.run('k', async () => {
      await second.promise;
      done.push('second');
    });
    expect(q.size).toBe(2);
    let drained = false;
    const draining = q.drain().then(() => {
      drained = true;
    });
    first.open();
    await flush();
    expect(done).toEqual(['first']);
    expect(drained).toBe(false);
    second.open();
    await draining;
    expect(done).toEqual(['first', 'second']);
  });
});
