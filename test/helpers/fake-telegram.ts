/**
 * A fake Telegram Bot API server on 127.0.0.1 (port 0): records every call and serves getMe,
 * getFile and file downloads, sendMessage & co. Tests script failures per method with `fail`.
 */
import type { ServerResponse } from 'node:http';
import { createCallLog, createFailureQueue, listenLoopback, readBody } from './fake-api-server.js';

export interface TelegramCall {
  method: string;
  /** The token found in the URL path. */
  token: string;
  params: Record<string, unknown>;
  at: number;
}

export interface TelegramFailure {
  error_code: number;
  description: string;
  retry_after?: number;
}

export interface FakeTelegram {
  /** Base URL to use as `apiUrl`. */
  url: string;
  token: string;
  botId: number;
  username: string;
  calls: TelegramCall[];
  /** Calls of one method. */
  callsOf(method: string): TelegramCall[];
  /** File downloads requested (`/file/bot<token>/<path>`). */
  downloads: string[];
  /** Registers a downloadable file: getFile(fileId) → `files/<name>` → content. */
  addFile(fileId: string, content: Buffer, opts?: { name?: string; contentType?: string }): void;
  /** The current text of each message sent with sendMessage (after its edits), by message_id. */
  texts: Map<number, string>;
  /** The next `times` calls of `method` fail with `failure` (429 with `retry_after`: a rate limit). */
  fail(method: string, failure: TelegramFailure, times?: number): void;
  /** Delays answers of `method` by `ms`. */
  delay(method: string, ms: number): void;
  /** Resolves once `count` calls of `method` were recorded (rejects after `timeoutMs`). */
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<TelegramCall[]>;
  close(): Promise<void>;
}

export const FAKE_TELEGRAM_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

/** Starts the fake. `token` must look like `<botId>:<secret>`. */
export async function startFakeTelegram(opts: { token?: string; username?: string } = {}): Promise<FakeTelegram> {
  const token = opts.token ?? FAKE_TELEGRAM_TOKEN;
  const botId = Number(token.split(':')[0]);
  const username = opts.username ?? 'switchboard_test_bot';
  const log = createCallLog<TelegramCall>();
  const downloads: string[] = [];
  const files = new Map<string, { path: string; content: Buffer; contentType: string }>();
  const failures = createFailureQueue<TelegramFailure>();
  const delays = new Map<string, number>();
  let nextMessageId = 1000;
  const texts = new Map<number, string>();

  const answer = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const loopback = await listenLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file && req.method === 'GET') {
      downloads.push(decodeURIComponent(file[2] as string));
      const entry = [...files.values()].find((f) => f.path === decodeURIComponent(file[2] as string));
      if (file[1] !== token || !entry) return answer(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': entry.contentType, 'content-length': String(entry.content.length) }).end(entry.content);
      return;
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return answer(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const body = await readBody(req);
    let params: Record<string, unknown> = {};
    try {
      params = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
    }
    const method = m[2] as string;
    log.record({ method, token: m[1] as string, params, at: Date.now() });
    if (m[1] !== token) return answer(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const wait = delays.get(method);
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const failure = failures.next(method);
    if (failure) {
      const { retry_after, ...rest } = failure;
      return answer(res, failure.error_code, { ok: false, ...rest, ...(retry_after !== undefined ? { parameters: { retry_after } } : {}) });
    }
    switch (method) {
      case 'getMe':
        return answer(res, 200, { ok: true, result: { id: botId, is_bot: true, first_name: 'Test', username } });
      case 'getFile': {
        const f = files.get(String(params.file_id));
        if (!f) return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
        return answer(res, 200, { ok: true, result: { file_id: params.file_id, file_size: f.content.length, file_path: f.path } });
      }
      case 'sendChatAction':
        return answer(res, 200, { ok: true, result: true });
      case 'sendMessageDraft':
        if (typeof params.draft_id !== 'number' || params.draft_id === 0) return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid draft_id' });
        if (typeof params.text !== 'string' || params.text.length > 4096) return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: text is too long' });
        return answer(res, 200, { ok: true, result: true });
      case 'editMessageText': {
        const id = Number(params.message_id);
        const current = texts.get(id);
        if (current === undefined) return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
        if (current === params.text) return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message is not modified' });
        if (typeof params.text !== 'string' || params.text.length > 4096) return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: MESSAGE_TOO_LONG' });
        texts.set(id, params.text);
        return answer(res, 200, { ok: true, result: { message_id: id, chat: { id: params.chat_id }, text: params.text } });
      }
      case 'sendMessage': {
        if (typeof params.text !== 'string' || params.text.length > 4096) return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message is too long' });
        const id = nextMessageId++;
        texts.set(id, params.text);
        return answer(res, 200, { ok: true, result: { message_id: id, chat: { id: params.chat_id }, date: Math.floor(Date.now() / 1000) } });
      }
      case 'sendPhoto':
      case 'sendDocument':
      case 'sendAudio':
      case 'sendVideo':
        return answer(res, 200, { ok: true, result: { message_id: nextMessageId++, chat: { id: params.chat_id }, date: Math.floor(Date.now() / 1000) } });
      default:
        return answer(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  });

  return {
    url: loopback.origin,
    token,
    botId,
    username,
    calls: log.calls,
    texts,
    downloads,
    callsOf: log.callsOf,
    addFile(fileId, content, o = {}) {
      files.set(fileId, { path: `documents/${o.name ?? `${fileId}.bin`}`, content, contentType: o.contentType ?? 'application/octet-stream' });
    },
    fail(method, failure, times = 1) {
      failures.add(method, failure, times);
    },
    delay(method, ms) {
      delays.set(method, ms);
    },
    waitFor: log.waitFor,
    close: loopback.close,
  };
}
