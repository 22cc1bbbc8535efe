/**
 * Channels speak JSON only: this parser keeps the raw bytes (for signature checks), turns
 * bad JSON and invalid UTF-8 into a coded 400, and strips prototype-polluting keys.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/** Replaces Fastify's parsers with one for `application/json` (other media types answer 400). */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    req.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    // toString would replace invalid bytes with U+FFFD, silently changing the message.
    if (!isUtf8(raw)) return done(new SwitchboardError('SWB_ERR_HTTP_INVALID_JSON', 'the body is not valid UTF-8'), undefined);
    try {
      done(null, parseJson(raw.toString('utf8')));
    } catch {
      done(new SwitchboardError('SWB_ERR_HTTP_INVALID_JSON', 'the body is not valid JSON'), undefined);
    }
  });
}

/**
 * JSON.parse that drops `__proto__` and `constructor` keys. A reviver makes every parse
 * several times slower, so it runs only when the text could hold such a key: the name
 * spelled out, or a `\u` escape (which could spell it).
 */
export function parseJson(text: string): unknown {
  return MAYBE_PROTO_KEY.test(text) ? JSON.parse(text, noProto) : JSON.parse(text);
}
const MAYBE_PROTO_KEY = /__proto__|constructor|\\u/;

function noProto(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor') return undefined;
  return value;
}
