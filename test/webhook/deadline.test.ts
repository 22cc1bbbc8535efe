import { PassThrough } from 'node:stream';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deadline } from '../../runtime/webhook/deadline.js';
import { readBounded } from '../../runtime/webhook/read-body.js';

describe('Deadline (the attempt signal given to undici)', () => {
  it('fires once after its time, calling each listener once; removed listeners are not called', async () => {
    const d = new Deadline(20);
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    d.once('abort', () => calls.push('a'));
    d.on('abort', () => calls.push('b'));
    d.on('abort', removed);
    d.removeListener('abort', removed);
    expect(d.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 40));
    expect(d.aborted).toBe(true);
    expect(d.reason?.name).toBe('AbortError');
    d.abort();
    expect(calls).toEqual(['a', 'b']);
  });

  it('clear() stops it from firing', async () => {
    const d = new Deadline(10);
    d.clear();
    await new Promise((r) => setTimeout(r, 30));
    expect(d.aborted).toBe(false);
  });

  it('sleep() resolves after its delay, or rejects when the deadline fires first', async () => {
    const d = new Deadline(1000);
    await expect(d.sleep(5)).resolves.toBeUndefined();
    d.clear();
    const short = new Deadline(10);
    await expect(short.sleep(1000)).rejects.toThrow(/deadline/);
    await expect(short.sleep(1)).rejects.toThrow(/deadline/);
  });

  describe('as undici’s signal', () => {
    let server: Server;
    let origin: string;
    const agent = new Agent();
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/slow-headers') return void setTimeout(() => res.end('late'), 2000);
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
      const t0 = Date.now();
      await expect(request(`${origin}/slow-headers`, { dispatcher: agent, signal: d })).rejects.toThrow();
      expect(Date.now() - t0).toBeLessThan(1000);
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
