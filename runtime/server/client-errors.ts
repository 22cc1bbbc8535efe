/**
 * The answers Node and Fastify write before any route runs — a request whose body did not
 * arrive in time (408), headers over Node's limit (431), a malformed request line (400), a
 * malformed URL (400) or an over-long path segment (414) — in the same JSON error envelope
 * every route uses, so a client never has to parse two error formats.
 */
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, errorCodes, type ErrorCode } from '../core/errors.js';
import { sendError } from './send-error.js';

/** The coded error for one of Node's `clientError` errors (by its `code`). */
function clientErrorCode(code: string | undefined): { code: ErrorCode; message: string } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { code: 'SWB_ERR_HTTP_TIMEOUT', message: 'the request did not arrive in time' };
  if (code === 'HPE_HEADER_OVERFLOW') return { code: 'SWB_ERR_HTTP_HEADERS_TOO_LARGE', message: 'the request headers are too large' };
  return { code: 'SWB_ERR_HTTP_BAD_REQUEST', message: 'the request is not valid HTTP' };
}

/**
 * Fastify's `clientErrorHandler` (called with the Fastify instance as `this`): writes the
 * envelope straight to the socket (there is no request object yet, or its body never
 * completed) and closes the connection.
 */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, err: Error & { code?: string }, socket: Socket): void {
  // A reset socket has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, message } = clientErrorCode(err.code);
  const status = errorCodes[code].status;
  this.log.debug({ code, nodeCode: err.code }, 'client error answered');
  if (socket.writable) {
    const body = JSON.stringify(errorBody(code, message));
    socket.write(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

function reasonPhrase(status: number): string {
  return { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status] ?? 'Error';
}

/** Fastify's `frameworkErrors`: router errors (bad URL encoding, over-long parameter) as the envelope. */
export function frameworkErrors(err: Error & { code?: string }, _req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return void sendError(reply, 'SWB_ERR_HTTP_URI_TOO_LONG', 'a path segment of the URL is too long');
  if (err.code === 'FST_ERR_BAD_URL') return void sendError(reply, 'SWB_ERR_HTTP_BAD_REQUEST', 'the URL is not validly encoded');
  void sendError(reply, 'SWB_ERR_HTTP_BAD_REQUEST', err.message);
}
