/**
 * A fake Anthropic Messages API server on 127.0.0.1. It rejects what the real API rejects
 * for the requests Switchboard builds: missing `x-api-key` or `anthropic-version`, missing
 * `model` / `max_tokens` / `messages`, unknown top-level fields, a `system` role inside
 * `messages`, a first message that is not `user`, non-alternating roles, empty text blocks,
 * OpenAI-style parts (`image_url`), and answers with real response and error shapes from
 * test/fixtures/providers/; a `stream: true` request gets the same reply in the real event stream.
 */
import type { ServerResponse } from 'node:http';
import { providerFixture, sseFrame, wordDeltas, writeStream, type ResponseFixture, type StreamScript } from './fake-openai.js';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from './fake-webhook.js';

export const FAKE_ANTHROPIC_KEY = 'sk-ant-api03-test-9d8c7b6a5f4e3d2c1b0a';

export interface FakeAnthropic extends FakeServer {
  url: string;
  /** Answers the next authenticated request with `fixture`. */
  respondNext(fixture: ResponseFixture): void;
  /** Answers the next valid `stream: true` request with `script` instead of the fixture's stream. */
  streamNext(script: StreamScript): void;
}

/**
 * The events the real API streams for a message: message_start (usage so far, empty
 * content), per block content_block_start, a ping after the first, text_delta per word,
 * content_block_stop; message_delta (stop_reason, output usage); message_stop.
 */
export function anthropicStreamFrames(response: Record<string, unknown>): string[] {
  const usage = response.usage as Record<string, unknown>;
  const start = { ...response, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } };
  const frames = [sseFrame({ type: 'message_start', message: start }, 'message_start')];
  (response.content as Array<{ type: string; text: string }>).forEach((block, index) => {
    frames.push(sseFrame({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start'));
    if (index === 0) frames.push(sseFrame({ type: 'ping' }, 'ping'));
    for (const text of wordDeltas(block.text)) frames.push(sseFrame({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }, 'content_block_delta'));
    frames.push(sseFrame({ type: 'content_block_stop', index }, 'content_block_stop'));
  });
  frames.push(sseFrame({ type: 'message_delta', delta: { stop_reason: response.stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }, 'message_delta'));
  frames.push(sseFrame({ type: 'message_stop' }, 'message_stop'));
  return frames;
}

let requestCounter = 0;
function errorBody(type: string, message: string): unknown {
  return { type: 'error', error: { type, message }, request_id: `req_011fake${++requestCounter}` };
}

const TOP_LEVEL = new Set(['model', 'max_tokens', 'messages', 'system', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream', 'metadata']);
const BLOCK_TYPES = ['text', 'image', 'document', 'tool_use', 'tool_result'];

/** The message the real API would answer with a 400 for this body, or null when it would accept it. */
export function checkMessagesBody(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'There was an issue with your request body: expected an object';
  const body = json as Record<string, unknown>;
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return `${key}: Extra inputs are not permitted`;
  if (body.model === undefined) return 'model: Field required';
  if (typeof body.model !== 'string') return 'model: Input should be a valid string';
  if (body.max_tokens === undefined) return 'max_tokens: Field required';
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) return 'max_tokens: Input should be greater than or equal to 1';
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) return 'system: Input should be a valid string';
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) {
    return 'temperature: Input should be less than or equal to 1';
  }
  if (body.messages === undefined) return 'messages: Field required';
  if (!Array.isArray(body.messages)) return 'messages: Input should be a valid list';
  if (body.messages.length === 0) return 'messages: at least one message is required';
  let previous: string | undefined;
  for (const [i, m] of (body.messages as Array<Record<string, unknown>>).entries()) {
    if (m.role === 'system') {
      return 'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';
    }
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && m.role !== 'user') return 'messages: first message must use the "user" role';
    if (m.role === previous) return `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`;
    previous = m.role;
    if (typeof m.content === 'string') {
      if (m.content === '') return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
      continue;
    }
    if (!Array.isArray(m.content)) return `messages.${i}.content: Input should be a valid list`;
    if (m.content.length === 0) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    for (const [j, b] of (m.content as Array<Record<string, unknown>>).entries()) {
      if (!BLOCK_TYPES.includes(b.type as string)) {
        return `messages.${i}.content.${j}: Input tag '${String(b.type)}' found using 'type' does not match any of the expected tags: ${BLOCK_TYPES.map((t) => `'${t}'`).join(', ')}`;
      }
      if (b.type === 'text' && (typeof b.text !== 'string' || b.text === '')) return 'messages: text content blocks must be non-empty';
      if (b.type === 'image' || b.type === 'document') {
        if (m.role !== 'user') return `messages.${i}.content.${j}.type: ${b.type} blocks are only allowed in user messages`;
        const source = b.source as Record<string, unknown> | undefined;
        if (source?.type === 'url' && typeof source.url === 'string') continue;
        if (source?.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') continue;
        return `messages.${i}.content.${j}.${b.type}.source: Input tag '${String(source?.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url'`;
      }
    }
  }
  return null;
}

/** Starts the fake; the expected key defaults to FAKE_ANTHROPIC_KEY. */
export async function startFakeAnthropic(opts: { apiKey?: string; response?: unknown } = {}): Promise<FakeAnthropic> {
  const apiKey = opts.apiKey ?? FAKE_ANTHROPIC_KEY;
  const response = opts.response ?? providerFixture('anthropic-response');
  const scripted: ResponseFixture[] = [];
  const streams: StreamScript[] = [];
  const handle = (req: RecordedRequest, res: ServerResponse): void => {
    if (req.method !== 'POST' || req.path !== '/v1/messages') {
      sendJson(res, 404, errorBody('not_found_error', 'Not Found'));
      return;
    }
    const key = req.headers['x-api-key'];
    if (key === undefined) return sendJson(res, 401, errorBody('authentication_error', 'x-api-key header is required'));
    if (key !== apiKey) return sendJson(res, 401, errorBody('authentication_error', 'invalid x-api-key'));
    const version = req.headers['anthropic-version'];
    if (version === undefined) return sendJson(res, 400, errorBody('invalid_request_error', 'anthropic-version: header is required'));
    if (version !== '2023-06-01' && version !== '2023-01-01') {
      return sendJson(res, 400, errorBody('invalid_request_error', `anthropic-version: Unknown version "${String(version)}"`));
    }
    const next = scripted.shift();
    if (next) return sendJson(res, next.status, next.body, next.headers);
    const problem = checkMessagesBody(req.json);
    if (problem) return sendJson(res, 400, errorBody('invalid_request_error', problem));
    if ((req.json as { stream?: unknown }).stream === true) {
      return writeStream(res, streams.shift() ?? { frames: anthropicStreamFrames(response as Record<string, unknown>), end: 'end' });
    }
    return sendJson(res, 200, response, { 'request-id': `req_011fake${++requestCounter}` });
  };
  const server = await startFakeServer(handle);
  return { ...server, url: `${server.origin}/v1/messages`, respondNext: (f) => scripted.push(f), streamNext: (s) => streams.push(s) };
}
