/**
 * The benchmark's webhook stub: plain `node:http` on 127.0.0.1, answering every POST with
 * `{"content":"ok"}` after reading the body. With `--echo-bot-name` it parses the body and
 * answers `{"content": <bot.name>}` instead, so a client can see which config served a
 * request (the reload test). Prints `{"port":N}` on stdout once listening.
 *
 *   node --import tsx bench/stub.ts [--port N] [--echo-bot-name]
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, 'echo-bot-name': { type: 'boolean', default: false } },
});
const echo = values['echo-bot-name'] === true;
const OK = Buffer.from('{"content":"ok"}');
const HEADERS = { 'content-type': 'application/json', 'content-length': String(OK.length) };

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  if (!echo) {
    req.resume();
    req.on('end', () => res.writeHead(200, HEADERS).end(OK));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let name = 'unknown';
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { bot?: { name?: unknown } };
      if (typeof body.bot?.name === 'string') name = body.bot.name;
    } catch {
      // not the Switchboard payload: answer "unknown"
    }
    const out = Buffer.from(JSON.stringify({ content: name }));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(out.length) }).end(out);
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
