import { randomBytes } from 'node:crypto';
import type { RawRequestDefaultExpression } from 'fastify';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** The caller's `X-Request-Id` when it is sane, else a fresh `req_<random>`. */
export function requestIdOf(req: RawRequestDefaultExpression): string {
  const h = req.headers['x-request-id'];
  return typeof h === 'string' && SANE_REQUEST_ID.test(h) ? h : `req_${randomId()}`;
}

/** 9 random bytes (72 bits, base64url) per request id, cut from a pooled buffer: one getrandom per 256 ids. */
const ID_BYTES = 9;
let idPool = Buffer.alloc(0);
let idOffset = 0;
function randomId(): string {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 256);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}
