/**
 * A fake OpenAI Chat Completions server on 127.0.0.1. It checks requests as strictly as the
 * real API does for what Switchboard sends (bearer key, JSON body, model, messages, roles,
 * content part types per role, parameter ranges, unknown arguments) and answers with the
 * real response and error shapes from test/fixtures/providers/ (streamed in the real chunk
 * format when the request says `stream: true`).
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from './fake-webhook.js';

/** A recorded `{status, headers, body}` response fixture. */
export interface ResponseFixture {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Reads test/fixtures/providers/<name>.json. */
export function providerFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/providers/${name}.json`, import.meta.url), 'utf8')) as T;
}

export const FAKE_OPENAI_KEY = 'sk-test-4f9a1c2b7d3e8f60a5b4c3d2e1f0a9b8';

/** A scripted stream: raw SSE frames written in order, then the stream ends, is cut or hangs open. */
export interface StreamScript {
  frames: string[];
  end: 'end' | 'cut' | 'hang';
}

export interface FakeOpenAI extends FakeServer {
  /** Endpoint to configure as the integration `url`. */
  url: string;
  /** Answers the next request (after the auth check) with `fixture` instead of a completion. */
  respondNext(fixture: ResponseFixture): void;
  /** Answers the next valid `stream: true` request with `script` instead of the fixture's stream. */
  streamNext(script: StreamScript): void;
}

/** One SSE frame: `data: <json>` (and an `event:` line when named). */
export function sseFrame(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** Splits text into word-sized deltas (each keeps its trailing space), as models stream it. */
export function wordDeltas(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/**
 * The frames the real API streams for a completion: a role chunk with empty content, one
 * chunk per delta, a chunk with finish_reason and an empty delta, the usage chunk (empty
 * choices; with include_usage every chunk also carries "usage": null), then [DONE].
 */
export function openaiStreamFrames(response: Record<string, unknown>, includeUsage: boolean): string[] {
  const choice = (response.choices as Array<{ message: { content: string }; finish_reason: string }>)[0] as { message: { content: string }; finish_reason: string };
  const head = { id: response.id, object: 'chat.completion.chunk', created: response.created, model: response.model, service_tier: 'default', system_fingerprint: response.system_fingerprint };
  const usage = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
    sseFrame({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usage });
  const frames = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (const d of wordDeltas(choice.message.content)) frames.push(chunk({ content: d }, null));
  frames.push(chunk({}, choice.finish_reason));
  if (includeUsage) frames.push(sseFrame({ ...head, choices: [], usage: response.usage }));
  frames.push('data: [DONE]\n\n');
  return frames;
}

/** Writes `script` as a 200 text/event-stream reply. */
export function writeStream(res: ServerResponse, script: StreamScript): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  for (const f of script.frames) res.write(f);
  if (script.end === 'end') res.end();
  else if (script.end === 'cut') setImmediate(() => res.socket?.destroy());
}

function invalid(res: ServerResponse, message: string, param: string | null = null, code: string | null = null): void {
  sendJson(res, 400, { error: { message, type: 'invalid_request_error', param, code } });
}

const ALLOWED_KEYS = new Set(['model', 'messages', 'temperature', 'max_tokens', 'max_completion_tokens', 'top_p', 'n', 'stop', 'user', 'stream', 'stream_options']);
const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];

/** The reason the real API would reject this body, or null when it would accept it. */
export function checkChatCompletionsBody(json: unknown): { message: string; param: string | null; code: string | null } | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { message: 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)', param: null, code: null };
  }
  const body = json as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!ALLOWED_KEYS.has(key)) return { message: `Unrecognized request argument supplied: ${key}`, param: null, code: null };
  }
  if (typeof body.model !== 'string' || body.model === '') return { message: 'you must provide a model parameter', param: null, code: null };
  if (!Array.isArray(body.messages)) return { message: "Missing required parameter: 'messages'.", param: 'messages', code: 'missing_required_parameter' };
  if (body.messages.length === 0) return { message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: 'messages', code: 'empty_array' };
  for (const [i, m] of (body.messages as Array<Record<string, unknown>>).entries()) {
    if (!ROLES.includes(m.role as string)) {
      return { message: `Invalid value: '${String(m.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, param: `messages[${i}].role`, code: 'invalid_value' };
    }
    if (typeof m.content === 'string') continue;
    if (!Array.isArray(m.content)) return { message: `Invalid type for 'messages[${i}].content': expected one of a string or array of objects.`, param: `messages[${i}].content`, code: 'invalid_type' };
    const allowed = m.role === 'user' ? ['text', 'image_url', 'input_audio', 'file'] : m.role === 'assistant' ? ['text', 'refusal'] : ['text'];
    for (const [j, p] of (m.content as Array<Record<string, unknown>>).entries()) {
      const where = `messages[${i}].content[${j}]`;
      if (!allowed.includes(p.type as string)) {
        return { message: `Invalid value: '${String(p.type)}'. Supported values are: ${allowed.map((a) => `'${a}'`).join(', ')}.`, param: `${where}.type`, code: 'invalid_value' };
      }
      if (p.type === 'text' && typeof p.text !== 'string') return { message: `Missing required parameter: '${where}.text'.`, param: `${where}.text`, code: 'missing_required_parameter' };
      if (p.type === 'image_url') {
        const image = p.image_url as Record<string, unknown> | undefined;
        if (typeof image?.url !== 'string') return { message: `Missing required parameter: '${where}.image_url.url'.`, param: `${where}.image_url.url`, code: 'missing_required_parameter' };
      }
      if (p.type === 'file') {
        // Chat Completions takes a file_id or inline file_data, never a URL.
        const file = p.file as Record<string, unknown> | undefined;
        if (!file || (typeof file.file_id !== 'string' && typeof file.file_data !== 'string') || 'url' in file) {
          return { message: `Invalid '${where}.file': expected file_id or file_data.`, param: `${where}.file`, code: 'invalid_value' };
        }
      }
    }
  }
  if (body.stream_options !== undefined && body.stream !== true) {
    return { message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: 'stream_options', code: 'invalid_value' };
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 2)) {
    return { message: `Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${String(body.temperature)} instead.`, param: 'temperature', code: 'decimal_above_max_value' };
  }
  if (body.max_tokens !== undefined && (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)) {
    return { message: `Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got ${String(body.max_tokens)} instead.`, param: 'max_tokens', code: 'integer_below_min_value' };
  }
  return null;
}

function maskKey(key: string): string {
  return key.length <= 12 ? key : `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

/** Starts the fake; the expected key defaults to FAKE_OPENAI_KEY. */
export async function startFakeOpenAI(opts: { apiKey?: string; response?: unknown } = {}): Promise<FakeOpenAI> {
  const apiKey = opts.apiKey ?? FAKE_OPENAI_KEY;
  const response = opts.response ?? providerFixture('openai-response');
  const scripted: ResponseFixture[] = [];
  const streams: StreamScript[] = [];
  const handle = (req: RecordedRequest, res: ServerResponse): void => {
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') {
      sendJson(res, 404, { error: { message: `Invalid URL (${req.method} ${req.path})`, type: 'invalid_request_error', param: null, code: null } });
      return;
    }
    const auth = req.headers.authorization;
    if (!auth) {
      sendJson(res, 401, {
        error: {
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
      return;
    }
    if (auth !== `Bearer ${apiKey}`) {
      const given = auth.replace(/^Bearer\s+/i, '');
      sendJson(res, 401, {
        error: {
          message: `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
      return;
    }
    const next = scripted.shift();
    if (next) {
      sendJson(res, next.status, next.body, next.headers);
      return;
    }
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      invalid(res, 'Invalid Content-Type header (text/plain), expected application/json.');
      return;
    }
    const problem = checkChatCompletionsBody(req.json);
    if (problem) {
      invalid(res, problem.message, problem.param, problem.code);
      return;
    }
    const json = req.json as { stream?: unknown; stream_options?: { include_usage?: unknown } };
    if (json.stream === true) {
      writeStream(res, streams.shift() ?? { frames: openaiStreamFrames(response as Record<string, unknown>, json.stream_options?.include_usage === true), end: 'end' });
      return;
    }
    sendJson(res, 200, response, { 'x-request-id': `req_${req.at}` });
  };
  const server = await startFakeServer(handle);
  return { ...server, url: `${server.origin}/v1/chat/completions`, respondNext: (f) => scripted.push(f), streamNext: (s) => streams.push(s) };
}
