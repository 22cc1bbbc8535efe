/**
 * The registry of coded errors (`SWB_ERR_<AREA>_<WHAT>`), each with its HTTP status.
 * Every code is documented in the README (a test checks it). `cause` carries the
 * underlying error. Config problems are data (`Problem[]`), not these.
 */
export const errorCodes = {
  SWB_ERR_HTTP_BAD_REQUEST: { status: 400, message: 'The request is invalid' },
  SWB_ERR_HTTP_INVALID_JSON: { status: 400, message: 'The body is not valid JSON' },
  SWB_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 400, message: 'The body must be application/json' },
  SWB_ERR_HTTP_UNAUTHORIZED: { status: 401, message: 'Missing or invalid credentials' },
  SWB_ERR_HTTP_NOT_FOUND: { status: 404, message: 'Not found' },
  SWB_ERR_HTTP_TIMEOUT: { status: 408, message: 'The request did not arrive in time' },
  SWB_ERR_HTTP_BODY_TOO_LARGE: { status: 413, message: 'The body is larger than the limit' },
  SWB_ERR_HTTP_URI_TOO_LONG: { status: 414, message: 'The URL is too long' },
  SWB_ERR_HTTP_RATE_LIMITED: { status: 429, message: 'Too many messages; retry later' },
  SWB_ERR_HTTP_HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large' },
  SWB_ERR_HTTP_INTERNAL: { status: 500, message: 'Internal error' },
  SWB_ERR_HTTP_UNAVAILABLE: { status: 503, message: 'Temporarily unavailable; retry later' },
  SWB_ERR_IDEMPOTENCY_CONFLICT: { status: 409, message: 'The Idempotency-Key was used with a different body' },
  SWB_ERR_STORE_UNAVAILABLE: { status: 503, message: 'The history store is unavailable' },
  SWB_ERR_STORE_CONFIG: { status: 500, message: 'The Redis connection variables are invalid' },
  SWB_ERR_WEBHOOK_UNREACHABLE: { status: 502, message: 'The webhook could not be reached' },
  SWB_ERR_WEBHOOK_TIMEOUT: { status: 504, message: 'The webhook did not answer in time' },
  SWB_ERR_WEBHOOK_HTTP_STATUS: { status: 502, message: 'The webhook answered with an error status' },
  SWB_ERR_WEBHOOK_BAD_REPLY: { status: 502, message: 'The webhook reply is not valid' },
  SWB_ERR_WEBHOOK_BLOCKED: { status: 502, message: 'The webhook target is a private or loopback address' },
  SWB_ERR_STREAM_FIRST_TOKEN_TIMEOUT: { status: 504, message: 'The streamed reply sent no text within firstTokenTimeout' },
  SWB_ERR_STREAM_IDLE_TIMEOUT: { status: 504, message: 'The streamed reply paused longer than idleTimeout' },
  SWB_ERR_STREAM_INTERRUPTED: { status: 502, message: 'The streamed reply ended before it was complete' },
  SWB_ERR_STREAM_ERROR: { status: 502, message: 'The streamed reply carried an error event' },
  SWB_ERR_STREAM_CANCELLED: { status: 499, message: 'The caller went away and the upstream request was cancelled' },
  SWB_ERR_ALL_ATTEMPTS_FAILED: { status: 502, message: 'Every integration attempt failed' },
  SWB_ERR_FILE_LINK_INVALID: { status: 404, message: 'The file link is invalid or expired' },
  SWB_ERR_CHANNEL_API: { status: 502, message: 'The channel API returned an error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;

export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? errorCodes[code].message, options);
    this.name = 'SwitchboardError';
    this.code = code;
    this.status = errorCodes[code].status;
  }
}

/** The JSON error envelope every route uses. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** A response with the code's registry status and the error envelope (default message: the registry's). */
export function errorResponse(code: ErrorCode, message?: string): { status: number; body: { error: { code: string; message: string } } } {
  return { status: errorCodes[code].status, body: errorBody(code, message ?? errorCodes[code].message) };
}
