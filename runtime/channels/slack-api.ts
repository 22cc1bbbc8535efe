/**
 * A minimal Slack Web API client: `{apiUrl}/{method}` with the bot token as a Bearer header,
 * undici `request` on the shared dispatcher, HTTP 429 `Retry-After` handling, `auth.test`
 * cached per token, and authenticated `url_private` downloads (only to Slack's own hosts or
 * the configured `apiUrl` host, so the token cannot be sent elsewhere). Errors carry Slack's
 * own `error` code and never the token.
 */
import { request, type Dispatcher } from 'undici';
import { SwitchboardError } from '../core/errors.js';
import { apiSettings, downloadOf, memoizeUntilRejected, retryRateLimited, tokenRedactor, type ApiDownload, type ApiTuning, type RateLimitPolicy } from './channel-api.js';

/** `maxRetries` counts retries after an HTTP 429. */
export interface SlackApiOptions extends ApiTuning {
  botToken: string;
  /** Base URL, e.g. `https://slack.com/api`. */
  apiUrl: string;
  dispatcher: Dispatcher;
}

/** Slack answered `{ ok: false, error }` (or an HTTP error). */
export class SlackApiError extends SwitchboardError {
  readonly method: string;
  /** Slack's error code (`channel_not_found`, `ratelimited`, `invalid_auth`…). */
  readonly error: string;
  readonly httpStatus: number;
  readonly retryAfter?: number;
  constructor(method: string, error: string, httpStatus: number, retryAfter?: number) {
    super('SWB_ERR_CHANNEL_API', `Slack ${method} failed: ${error}`);
    this.method = method;
    this.error = error;
    this.httpStatus = httpStatus;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}

export interface SlackIdentity {
  userId?: string;
  botId?: string;
}

export type SlackDownload = ApiDownload;

export interface SlackApi {
  /** Calls `method` (JSON body, or form-encoded with `form: true` for read methods). */
  call<T extends Record<string, unknown> = Record<string, unknown>>(method: string, params?: Record<string, unknown>, opts?: { form?: boolean }): Promise<T>;
  /** `auth.test`, cached per api URL + token for the process lifetime (a failure is not cached). */
  identity(): Promise<SlackIdentity>;
  /** GET a `url_private` with the token. Refuses hosts other than Slack's and the apiUrl's. */
  download(url: string): Promise<SlackDownload>;
  redact(text: string): string;
}

const identityCache = new Map<string, Promise<SlackIdentity>>();

/** True for hosts the bot token may be sent to: slack.com and its subdomains, or the apiUrl host. */
export function isSlackFileHost(url: URL, apiUrl: string): boolean {
  let apiHost: string | undefined;
  try {
    apiHost = new URL(apiUrl).host;
  } catch {
    apiHost = undefined;
  }
  if (apiHost !== undefined && url.host === apiHost) return true;
  return url.protocol === 'https:' && (url.hostname === 'slack.com' || url.hostname.endsWith('.slack.com'));
}

/** Creates a client for one bot token. */
export function createSlackApi(options: SlackApiOptions): SlackApi {
  const { botToken, dispatcher } = options;
  const { base, timeoutMs, ...limits } = apiSettings(options.apiUrl, options);
  const redact = tokenRedactor(botToken);
  const rateLimit: RateLimitPolicy = {
    ...limits,
    // Slack's 429 without a usable Retry-After is retried after 1 s.
    retryAfterOf: (err) => (err instanceof SlackApiError && err.httpStatus === 429 ? (err.retryAfter ?? 1) : undefined),
  };

  const unreachable = (method: string, err: unknown): SlackApiError => {
    const reason = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.name) : 'error';
    return new SlackApiError(method, redact(`unreachable (${reason})`), 0);
  };

  const callOnce = async <T>(method: string, params: Record<string, unknown>, form: boolean): Promise<T> => {
    let res: Dispatcher.ResponseData;
    const body = form
      ? new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString()
      : JSON.stringify(params);
    try {
      res = await request(`${base}/${method}`, {
        method: 'POST',
        dispatcher,
        headers: {
          authorization: `Bearer ${botToken}`,
          'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json; charset=utf-8',
        },
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      throw unreachable(method, err);
    }
    if (res.statusCode === 429) {
      res.body.resume();
      const retryAfter = Number(res.headers['retry-after']);
      throw new SlackApiError(method, 'ratelimited', 429, Number.isFinite(retryAfter) ? retryAfter : undefined);
    }
    let json: unknown;
    try {
      json = await res.body.json();
    } catch {
      throw new SlackApiError(method, `http_${res.statusCode}`, res.statusCode);
    }
    const answer = (json ?? {}) as { ok?: unknown; error?: unknown };
    if (answer.ok === true) return answer as T;
    throw new SlackApiError(method, typeof answer.error === 'string' ? redact(answer.error) : `http_${res.statusCode}`, res.statusCode);
  };

  const api: SlackApi = {
    call<T extends Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, opts: { form?: boolean } = {}): Promise<T> {
      return retryRateLimited(() => callOnce<T>(method, params, opts.form ?? false), rateLimit);
    },

    identity() {
      return memoizeUntilRejected(identityCache, `${base}\0${botToken}`, () =>
        api.call<{ user_id?: unknown; bot_id?: unknown }>('auth.test', {}, { form: true }).then((r) => {
          const identity: SlackIdentity = {};
          if (typeof r.user_id === 'string') identity.userId = r.user_id;
          if (typeof r.bot_id === 'string') identity.botId = r.bot_id;
          return identity;
        }),
      );
    },

    async download(url) {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        throw new SlackApiError('file download', 'invalid_url', 0);
      }
      if (!isSlackFileHost(target, base)) throw new SlackApiError('file download', 'host_not_allowed', 0);
      let res: Dispatcher.ResponseData;
      try {
        res = await request(target, { method: 'GET', dispatcher, headers: { authorization: `Bearer ${botToken}` }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      } catch (err) {
        throw unreachable('file download', err);
      }
      const type = res.headers['content-type'];
      // Without a valid token Slack answers 200 with its HTML login page, or redirects to it.
      if (res.statusCode !== 200 || (typeof type === 'string' && type.startsWith('text/html'))) {
        res.body.resume();
        throw new SlackApiError('file download', res.statusCode === 200 ? 'login_page' : `http_${res.statusCode}`, res.statusCode);
      }
      return downloadOf(res);
    },

    redact,
  };
  return api;
}
