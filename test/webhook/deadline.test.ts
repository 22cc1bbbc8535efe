import { PassThrough } from 'node:stream';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Deadline } from '../../runtime/webhook/deadline.js';
import { readBounded } from '../../runtime/webhook/read-body.js';

describe('Deadline (the attempt signal given to undici)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once after its time, calling each listener once; removed listeners are not called', () => {
    vi.useFakeTimers();
    const d = new Deadline(20);
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    d.once('abort', () => calls.push('a'));
    d.on('abort', () => calls.push('b'));
    d.on('abort', removed);
    d.removeListener('abort', removed);
    vi.advanceTimersByTime(19);
    expect(d.aborted).toBe(false);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(d.aborted).toBe(true);
    expect(d.reason?.name).toBe('AbortError');
    d.abort();
    expect(calls).toEqual(['a', 'b']);
  });

  it('clear() stops it from firing', () => {
    vi.useFakeTimers();
    const d = new Deadline(10);
    const fired = vi.fn();
    d.on('abort', fired);
    d.clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(d.aborted).toBe(false);
    expect(fired).not.toHaveBeenCalled();
  });

  it('sleep() resolves after its delay, or rejects when the deadline fires first', async () => {
    vi.useFakeTimers();
    const d = new Deadline(1000);
    const slept = vi.fn();
    const nap = d.sleep(5).then(slept);
    await vi.advanceTimersByTimeAsync(4);
    expect(slept).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(nap).resolves.toBeUndefined();
    expect(slept).toHaveBeenCalledOnce();
    d.clear();
    const short = new Deadline(10);
    const long = short.sleep(1000);
    const outcome = expect(long).rejects.toThrow(/deadline/);
    await vi.advanceTimersByTimeAsync(10);
    await outcome;
    expect(vi.getTimerCount()).toBe(0);
    await expect(short.sleep(1)).rejects.toThrow(/deadline/);
  });

  describe('as undici’s signal', () => {
    let server: Server;
    let origin: string;
    const agent = new Agent();
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/no-headers') return; // never answers: only the deadline ends the wait
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"content":');
        if (req.url === '/drip') return; // never ends
        res.end('"ok"}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await agent.close();
    });

    it('aborts a request waiting for headers', async () => {
      const d = new Deadline(50);
      await expect(request(`${origin}/no-headers`, { dispatcher: agent, signal: d })).rejects.toThrow(/deadline|abort/i);
      expect(d.aborted).toBe(true);
    });

    it('aborts a body that never ends (readBounded rejects)', async () => {
      const d = new Deadline(80);
      const res = await request(`${origin}/drip`, { dispatcher: agent, signal: d });
      await expect(readBounded(res.body, 1024)).rejects.toThrow();
      expect(d.aborted).toBe(true);
    });

    it('leaves a completed request alone and removes its listener', async () => {
      const d = new Deadline(1000);
      const res = await request(`${origin}/ok`, { dispatcher: agent, signal: d });
      expect((await readBounded(res.body, 1024))?.toString()).toBe('{"content":"ok"}');
      d.clear();
      d.abort(); // nothing listens any more: no error on the finished body
    });
  });
});

describe('readBounded', () => {
  it('returns the bytes when within the limit (one chunk or several)', async () => {
    const one = new PassThrough();
    const p1 = readBounded(one as never, 10);
    one.end(Buffer.from('abc'));
    expect((await p1)?.toString()).toBe('abc');
    const many = new PassThrough();
    const p2 = readBounded(many as never, 10);
    many.write('ab');
    many.write('cd');
    many.end('e');
    expect((await p2)?.toString()).toBe('abcde');
  });

  it('returns null as soon as the body passes the limit, or when Content-Length says it will', async () => {
    const s = new PassThrough();
    const p = readBounded(s as never, 4);
    s.write('abc');
    s.write('def');
    expect(await p).toBeNull();
    expect(s.destroyed).toBe(true);
    const declared = new PassThrough();
    expect(await readBounded(declared as never, 4, '5')).toBeNull();
  });

  it('rejects when the stream errors or closes before its end', async () => {
    const e = new PassThrough();
    const p = readBounded(e as never, 10);
    e.destroy(new Error('boom'));
    await expect(p).rejects.toThrow('boom');
    const c = new PassThrough();
    const q = readBounded(c as never, 10);
    c.destroy();
    await expect(q).rejects.toThrow(/closed before its end/);
  });
});
