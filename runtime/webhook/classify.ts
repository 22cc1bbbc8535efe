/**
 * Turning a thrown network error into a failure class and a secret-free message. Messages
 * name error codes and addresses, never URLs (a query string may carry a key) or headers.
 */
import type { FailureClass } from '../core/message.js';
import type { ErrorCode } from '../core/errors.js';
import { BLOCKED_ADDRESS_CODE } from './guarded-dispatcher.js';

/** The first `code` string along an error's `cause` chain (undici wraps socket errors). */
export function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && typeof e === 'object' && e !== null; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function findBlocked(err: unknown): Error | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e instanceof Error; i++) {
    if ((e as { code?: unknown }).code === BLOCKED_ADDRESS_CODE) return e;
    e = e.cause;
  }
  return undefined;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** True for certificate and handshake errors from node:tls / OpenSSL. */
export function isTlsCode(code: string | undefined): boolean {
  return (
    code !== undefined &&
    (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_)/.test(code) ||
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'HOSTNAME_MISMATCH'].includes(code))
  );
}

/**
 * Classifies an error thrown while dispatching or reading: `blocked` (connect-time
 * private-network refusal), `timeout` (our deadline fired, or an undici timeout), else
 * `unreachable` with the cause named by code.
 */
export function classifyError(err: unknown, deadlineHit: boolean, timeoutMs: number): { failure: FailureClass; message: string } {
  const blocked = findBlocked(err);
  if (blocked) return { failure: 'blocked', message: blocked.message };
  const code = causeCode(err);
  if (deadlineHit || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return { failure: 'timeout', message: `no complete reply within ${timeoutMs} ms` };
  }
  if (code === 'ECONNREFUSED') return { failure: 'unreachable', message: 'connection refused (ECONNREFUSED)' };
  if (code !== undefined && DNS_CODES.has(code)) return { failure: 'unreachable', message: `the host name could not be resolved (${code})` };
  if (isTlsCode(code)) return { failure: 'unreachable', message: `TLS handshake failed (${code})` };
  if (code !== undefined && CLOSED_CODES.has(code)) return { failure: 'unreachable', message: `the connection was closed before a complete reply (${code})` };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { failure: 'unreachable', message: `the host is unreachable (${code})` };
  if (code === 'UND_ERR_INVALID_ARG') return { failure: 'unreachable', message: `the request could not be built: ${(err as Error).message}` };
  return { failure: 'unreachable', message: `the request failed (${code ?? (err instanceof Error ? err.name : 'unknown error')})` };
}

/** The coded error (runtime/errors.ts) for a failure class. */
export function failureErrorCode(failure: FailureClass): ErrorCode {
  switch (failure) {
    case 'unreachable':
      return 'SWB_ERR_WEBHOOK_UNREACHABLE';
    case 'timeout':
      return 'SWB_ERR_WEBHOOK_TIMEOUT';
    case 'http_status':
      return 'SWB_ERR_WEBHOOK_HTTP_STATUS';
    case 'bad_reply':
      return 'SWB_ERR_WEBHOOK_BAD_REPLY';
    case 'blocked':
      return 'SWB_ERR_WEBHOOK_BLOCKED';
    case 'first_token_timeout':
      return 'SWB_ERR_STREAM_FIRST_TOKEN_TIMEOUT';
    case 'idle_timeout':
      return 'SWB_ERR_STREAM_IDLE_TIMEOUT';
    case 'interrupted':
      return 'SWB_ERR_STREAM_INTERRUPTED';
    case 'stream_error':
      return 'SWB_ERR_STREAM_ERROR';
    case 'cancelled':
      return 'SWB_ERR_STREAM_CANCELLED';
  }
}
