/**
 * Every error a route throws ends here and leaves as the JSON error envelope: coded errors
 * with their registry status, Fastify's body errors as the codes channels document, other
 * 4xx as a bad request, and anything else as a logged 500 that shows no detail.
 */
import { errorCodes as fastifyErrors, type FastifyInstance } from 'fastify';
import { SwitchboardError } from '../core/errors.js';
import { discardBody } from './discard-body.js';
import { sendError } from './send-error.js';

/** Installs the 404 and error handlers; `bodyLimit` is named in the 413 message. */
export function registerErrorHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setNotFoundHandler((req, reply) => {
    void sendError(reply, 'SWB_ERR_HTTP_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
  });
  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    if (err instanceof SwitchboardError) return sendError(reply, err.code, err.message);
    if (err instanceof fastifyErrors.FST_ERR_CTP_BODY_TOO_LARGE) {
      // The rest of the body is read first and the connection closed after the answer.
      void reply.header('connection', 'close');
      return discardBody(req.raw).then(() => sendError(reply, 'SWB_ERR_HTTP_BODY_TOO_LARGE', `the body is larger than ${bodyLimit} bytes`));
    }
    if (err instanceof fastifyErrors.FST_ERR_CTP_INVALID_MEDIA_TYPE) return sendError(reply, 'SWB_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json');
    if (err instanceof fastifyErrors.FST_ERR_CTP_EMPTY_JSON_BODY || err instanceof fastifyErrors.FST_ERR_CTP_INVALID_CONTENT_LENGTH) return sendError(reply, 'SWB_ERR_HTTP_BAD_REQUEST', err.message);
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: { code: 'SWB_ERR_HTTP_BAD_REQUEST', message: err.message } });
    req.log.error({ err: { message: err.message, code: err.code } }, 'unhandled error');
    return sendError(reply, 'SWB_ERR_HTTP_INTERNAL');
  });
}
