/**
 * The streaming benchmark's webhook stub: every POST is answered `200 text/event-stream`
 * with `--deltas` events `{"delta": "<µs> "}` `--interval` ms apart (each stream with its
 * own phase), then `{"done": true}`. `<µs>` is the monotonic clock when the event was
 * written (`process.hrtime`, shared by all processes of the machine), so the client can
 * tell each delta's latency through a relay. Prints `{"port":N}` once listening.
 *
 *   node --import tsx bench/stream-stub.ts [--deltas 200] [--interval 20]
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, deltas: { type: 'string', default: '200' }, interval: { type: 'string', default: '20' } } });
const deltas = Number(values.deltas);
const interval = Number(values.interval);
const HEAD = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, HEAD);
    res.flushHeaders();
    let left = deltas;
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      const us = process.hrtime.bigint() / 1000n;
      if (--left > 0) res.write(`data: {"delta":"${us} "}\n\n`);
      else {
        clearInterval(timer);
        res.end(`data: {"delta":"${us} "}\n\ndata: {"done":true}\n\n`);
      }
    };
    // A random phase, so the streams do not all write in the same millisecond.
    const start = setTimeout(() => {
      timer = setInterval(tick, interval);
    }, Math.random() * interval);
    res.on('close', () => {
      clearTimeout(start);
      clearInterval(timer);
    });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const addr = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
