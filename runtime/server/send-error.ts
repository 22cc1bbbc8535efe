import type { FastifyReply } from 'fastify';
import { errorBody, errorCodes, type ErrorCode } from '../core/errors.js';

/** Answers with the code's status from the error registry and the JSON error envelope. */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  return reply.code(errorCodes[code].status).send(errorBody(code, message ?? errorCodes[code].message));
}
