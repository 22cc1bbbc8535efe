/**
 * The physical limit of Switchboard's design: a bare Fastify 5 app that receives a JSON body,
 * forwards it with undici `request` (shared keep-alive Agent) to the webhook, reads the JSON
 * reply and returns `{content}`. No logging, no validation, no history, no routing.
 * Prints `{"port":N}` on stdout once listening.
 *
 *   node --import tsx bench/forwarder.ts --upstream http://127.0.0.1:PORT/hook [--port N]
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, upstream: { type: 'string' } } });
const upstream = values.upstream;
if (!upstream) throw new Error('--upstream URL is required');

const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
const app = Fastify({ logger: false });

app.post('/forward', async (req) => {
  const res = await request(upstream, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(req.body),
    dispatcher,
  });
  const reply = (await res.body.json()) as { content?: unknown };
  return { content: reply.content };
});

const address = await app.listen({ port: Number(values.port), host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ port: Number(new URL(address).port) })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
