/**
 * The benchmark's webhook stub: plain `node:http` on 127.0.0.1, answering every POST with
 * `{"content":"ok"}` after reading the body. With `--echo-bot-name` it parses the body and
 * answers `{"content": <bot.name>}` instead, so a client can see which config served a
 * request (the reload test). A path starting with `/d<ms>/` (e.g. `/d2000/hook`) answers after
 * that many milliseconds, like an AI backend thinking; a path ending in `/chat/completions`
 * answers in OpenAI's shape (for the Portkey gateway). Prints `{"port":N}` on stdout once
 * listening.
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
const OPENAI = Buffer.from(JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion', created: 0, model: 'bench', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
const OPENAI_HEADERS = { 'content-type': 'application/json', 'content-length': String(OPENAI.length) };

/** The delay a `/d<ms>/…` path asks for (0 otherwise). */
function delayOf(url: string | undefined): number {
  const m = /^\/d(\d+)\//.exec(url ?? '');
  return m ? Number(m[1]) : 0;
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  if (!echo) {
    const delay = delayOf(req.url);
    const openai = req.url?.endsWith('/chat/completions') === true;
    const answer = (): void => void (openai ? res.writeHead(200, OPENAI_HEADERS).end(OPENAI) : res.writeHead(200, HEADERS).end(OK));
    req.resume();
    req.on('end', () => (delay > 0 ? setTimeout(answer, delay) : answer()));
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
