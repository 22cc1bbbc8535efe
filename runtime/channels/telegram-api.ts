/**
 * A minimal Telegram Bot API client: `{apiUrl}/bot{token}/{method}` calls with undici `request`
 * on the shared dispatcher, `retry_after` handling on 429, file downloads, and a per-token
 * `getMe` cache. Errors carry Telegram's own `error_code` / `description` and never the token
 * (it sits in every URL path, so anything that may be logged goes through `redact`).
 */
import { request, type Dispatcher } from 'undici';
import { SwitchboardError } from '../core/errors.js';
import { apiSettings, downloadOf, memoizeUntilRejected, retryRateLimited, tokenRedactor, type ApiDownload, type ApiTuning, type RateLimitPolicy } from './channel-api.js';

/** `maxRetries` counts retries after a 429 with `retry_after`. */
export interface TelegramApiOptions extends ApiTuning {
  token: string;
  /** Base URL without trailing slash, e.g. `https://api.telegram.org`. */
  apiUrl: string;
  dispatcher: Dispatcher;
}

/** The Bot API answered `ok: false` (or a non-JSON error). */
export class TelegramApiError extends SwitchboardError {
  readonly method: string;
  readonly errorCode: number;
  readonly description: string;
  readonly retryAfter?: number;
  constructor(method: string, errorCode: number, description: string, retryAfter?: number) {
    super('SWB_ERR_CHANNEL_API', `Telegram ${method} failed: ${errorCode} ${description}`);
    this.method = method;
    this.errorCode = errorCode;
    this.description = description;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}

export interface TelegramIdentity {
  id: number;
  username?: string;
}

export type TelegramDownload = ApiDownload;

export interface TelegramApi {
  /** Calls `method` with a JSON body; resolves with `result`, retrying 429s within the cap. */
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** `getMe`, cached per api URL + token for the process lifetime (a failure is not cached). */
  identity(): Promise<TelegramIdentity>;
  /** Streams `{apiUrl}/file/bot{token}/{file_path}`. */
  download(filePath: string): Promise<TelegramDownload>;
  /** Replaces the token in `text` (for logs and errors). */
  redact(text: string): string;
}

const identityCache = new Map<string, Promise<TelegramIdentity>>();

/** Creates a client for one bot token. Cheap: build one per message if convenient. */
export function createTelegramApi(options: TelegramApiOptions): TelegramApi {
  const { token, dispatcher } = options;
  const { base, timeoutMs, ...limits } = apiSettings(options.apiUrl, options);
  const redact = tokenRedactor(token);
  const rateLimit: RateLimitPolicy = {
    ...limits,
    retryAfterOf: (err) => (err instanceof TelegramApiError && err.errorCode === 429 ? err.retryAfter : undefined),
  };

  const unreachable = (method: string, err: unknown): SwitchboardError => {
    const reason = err instanceof Error ? `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` : String(err);
    return new SwitchboardError('SWB_ERR_CHANNEL_API', redact(`Telegram ${method} could not be reached (${reason})`));
  };

  const callOnce = async <T>(method: string, params: Record<string, unknown>): Promise<T> => {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${base}/bot${token}/${method}`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      throw unreachable(method, err);
    }
    let json: unknown;
    try {
      json = await res.body.json();
    } catch {
      throw new TelegramApiError(method, res.statusCode, `non-JSON answer (HTTP ${res.statusCode})`);
    }
    const answer = (json ?? {}) as { ok?: unknown; result?: unknown; error_code?: unknown; description?: unknown; parameters?: { retry_after?: unknown } };
    if (answer.ok === true) return answer.result as T;
    const code = typeof answer.error_code === 'number' ? answer.error_code : res.statusCode;
    const description = typeof answer.description === 'string' ? redact(answer.description) : `HTTP ${res.statusCode}`;
    const retryAfter = typeof answer.parameters?.retry_after === 'number' ? answer.parameters.retry_after : undefined;
    throw new TelegramApiError(method, code, description, retryAfter);
  };

  const api: TelegramApi = {
    call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      return retryRateLimited(() => callOnce<T>(method, params), rateLimit);
    },

    identity() {
      return memoizeUntilRejected(identityCache, `${base}\0${token}`, () =>
        api.call<{ id: number; username?: string }>('getMe').then((me) => {
          const identity: TelegramIdentity = { id: me.id };
          if (typeof me.username === 'string') identity.username = me.username;
          return identity;
        }),
      );
    },

    async download(filePath) {
      let res: Dispatcher.ResponseData;
      const path = filePath.split('/').map(encodeURIComponent).join('/');
      try {
        res = await request(`${base}/file/bot${token}/${path}`, { method: 'GET', dispatcher, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      } catch (err) {
        throw unreachable('file download', err);
      }
      if (res.statusCode !== 200) {
        res.body.resume();
        throw new TelegramApiError('file download', res.statusCode, `HTTP ${res.statusCode}`);
      }
      return downloadOf(res);
    },

    redact,
  };
  return api;
}

/** The bot's numeric id, which is the part of the token before `:` (no API call needed). */
export function botIdFromToken(token: string): number | undefined {
  const m = /^(\d+):/.exec(token);
  return m ? Number(m[1]) : undefined;
}
