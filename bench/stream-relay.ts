/**
 * The physical limit of relaying a streamed reply: a bare Fastify 5 app that forwards the
 * JSON body with undici `request` (shared keep-alive Agent) and pipes the upstream
 * `text/event-stream` bytes to its client unchanged. No parsing, logging, history or routing.
 * Prints `{"port":N}` on stdout once listening.
 *
 *   node --import tsx bench/stream-relay.ts --upstream http://127.0.0.1:PORT/hook
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, upstream: { type: 'string' } } });
const upstream = values.upstream;
if (!upstream) throw new Error('--upstream URL is required');

const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
const app = Fastify({ logger: false });

app.post('/relay', async (req, reply) => {
  const res = await request(upstream, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(req.body), dispatcher });
  return reply.header('content-type', 'text/event-stream').header('cache-control', 'no-cache').send(res.body);
});

const address = await app.listen({ port: Number(values.port), host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ port: Number(new URL(address).port) })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
