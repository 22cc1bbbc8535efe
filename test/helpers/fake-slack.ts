/**
 * A fake Slack Web API on 127.0.0.1 (port 0): records calls (JSON or form bodies) and serves
 * auth.test, chat.postMessage, files.info and `url_private` downloads (which, like Slack, answer
 * an HTML login page without a valid Bearer token). Also signs Events API requests for tests.
 */
import type { ServerResponse } from 'node:http';
import { computeSlackSignature } from '../../runtime/channels/slack-verify.js';
import { createCallLog, createFailureQueue, listenLoopback, readBody } from './fake-api-server.js';

export interface SlackCall {
  method: string;
  /** Value of the Authorization header. */
  authorization: string | undefined;
  contentType: string | undefined;
  params: Record<string, unknown>;
  at: number;
}

export interface FakeSlack {
  /** Server origin, e.g. http://127.0.0.1:1234 */
  origin: string;
  /** Use as `apiUrl`: `${origin}/api`. */
  apiUrl: string;
  botToken: string;
  botUserId: string;
  botId: string;
  calls: SlackCall[];
  callsOf(method: string): SlackCall[];
  /** Authorization headers of file downloads, in order. */
  downloads: Array<{ path: string; authorization: string | undefined }>;
  /** Registers a private file; returns its url_private. */
  addFile(id: string, name: string, content: Buffer, contentType: string): string;
  /** Messages posted or streamed, by ts: their text now (after updates and appends) and whether the stream is open. */
  messages: Map<string, { text: string; streaming: boolean }>;
  /** Ends the stream of message `ts` as Slack does after ~5 idle minutes (appends then get `message_not_in_streaming_state`). */
  expire(ts: string): void;
  /** The next `times` calls of `method` answer `{ ok: false, error }` (e.g. a workspace that refuses `chat.startStream`). */
  fail(method: string, error: string, times?: number): void;
  /** The next `times` calls of `method` answer HTTP 429 with `Retry-After: seconds`. */
  rateLimit(method: string, seconds: number, times?: number): void;
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<SlackCall[]>;
  close(): Promise<void>;
}

export const FAKE_SLACK_TOKEN = 'xoxb-1111111111-2222222222-FakeSlackBotTokenValue';

/** Headers Slack would send for `rawBody` at `nowSeconds`. */
export function signSlackRequest(signingSecret: string, rawBody: string | Buffer, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const timestamp = String(nowSeconds);
  return { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': computeSlackSignature(signingSecret, timestamp, rawBody) };
}

export async function startFakeSlack(opts: { botToken?: string; botUserId?: string } = {}): Promise<FakeSlack> {
  const botToken = opts.botToken ?? FAKE_SLACK_TOKEN;
  const botUserId = opts.botUserId ?? 'UBOT0001';
  const botId = 'BBOT0001';
  const log = createCallLog<SlackCall>();
  const downloads: FakeSlack['downloads'] = [];
  const files = new Map<string, { id: string; path: string; content: Buffer; contentType: string }>();
  const failures = createFailureQueue<{ error?: string; retryAfter?: number }>();
  let ts = 1_700_000_000;
  const messages = new Map<string, { text: string; streaming: boolean }>();
  let origin = '';

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  };

  const loopback = await listenLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const authorization = req.headers.authorization;
    if (req.method === 'GET' && url.pathname.startsWith('/files-pri/')) {
      downloads.push({ path: url.pathname, authorization });
      const file = [...files.values()].find((f) => f.path === url.pathname);
      if (authorization !== `Bearer ${botToken}`) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>Sign in to Slack</html>');
        return;
      }
      if (!file) return json(res, 404, { ok: false, error: 'file_not_found' });
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.content.length) }).end(file.content);
      return;
    }
    const m = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return json(res, 404, { ok: false, error: 'unknown_method' });
    const method = m[1] as string;
    const raw = (await readBody(req)).toString('utf8');
    const contentType = req.headers['content-type'];
    let params: Record<string, unknown> = {};
    if (contentType?.startsWith('application/json')) params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    else params = Object.fromEntries(new URLSearchParams(raw));
    log.record({ method, authorization, contentType, params, at: Date.now() });
    if (authorization !== `Bearer ${botToken}`) return json(res, 200, { ok: false, error: 'invalid_auth' });
    const failure = failures.next(method);
    if (failure?.retryAfter !== undefined) return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
    if (failure?.error) return json(res, 200, { ok: false, error: failure.error });
    switch (method) {
      case 'auth.test':
        return json(res, 200, { ok: true, url: 'https://test.slack.com/', team: 'Test', user: 'switchboard', team_id: 'T0001', user_id: botUserId, bot_id: botId });
      case 'chat.postMessage': {
        const id = `${ts++}.000100`;
        messages.set(id, { text: String(params.text ?? ''), streaming: false });
        return json(res, 200, { ok: true, channel: params.channel, ts: id, message: { text: params.text, bot_id: botId } });
      }
      case 'chat.update': {
        const m = messages.get(String(params.ts));
        if (!m) return json(res, 200, { ok: false, error: 'message_not_found' });
        m.text = String(params.text ?? '');
        return json(res, 200, { ok: true, channel: params.channel, ts: params.ts, text: m.text });
      }
      case 'chat.startStream': {
        if (typeof params.thread_ts !== 'string') return json(res, 200, { ok: false, error: 'invalid_arguments' });
        const id = `${ts++}.000200`;
        messages.set(id, { text: String(params.markdown_text ?? ''), streaming: true });
        return json(res, 200, { ok: true, channel: params.channel, ts: id });
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        const m = messages.get(String(params.ts));
        if (!m) return json(res, 200, { ok: false, error: 'message_not_found' });
        if (!m.streaming) return json(res, 200, { ok: false, error: 'message_not_in_streaming_state' });
        m.text += String(params.markdown_text ?? '');
        if (method === 'chat.stopStream') m.streaming = false;
        return json(res, 200, { ok: true, channel: params.channel, ts: params.ts });
      }
      case 'files.info': {
        const f = files.get(String(params.file));
        if (!f) return json(res, 200, { ok: false, error: 'file_not_found' });
        return json(res, 200, { ok: true, file: { id: f.id, url_private: `${origin}${f.path}` } });
      }
      default:
        return json(res, 200, { ok: false, error: 'unknown_method' });
    }
  });
  origin = loopback.origin;

  return {
    origin,
    apiUrl: `${origin}/api`,
    botToken,
    botUserId,
    botId,
    calls: log.calls,
    messages,
    expire(id) {
      const m = messages.get(id);
      if (m) m.streaming = false;
    },
    downloads,
    callsOf: log.callsOf,
    addFile(id, name, content, contentType) {
      const path = `/files-pri/T0001-${id}/${encodeURIComponent(name)}`;
      files.set(id, { id, path, content, contentType });
      return `${origin}${path}`;
    },
    fail(method, error, times = 1) {
      failures.add(method, { error }, times);
    },
    rateLimit(method, seconds, times = 1) {
      failures.add(method, { retryAfter: seconds }, times);
    },
    waitFor: log.waitFor,
    close: loopback.close,
  };
}
