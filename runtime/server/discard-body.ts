/**
 * Reads and throws away the rest of a request body that will not be used (a body over the
 * limit), up to a bound. Answering while the client is still sending and then closing makes
 * the client's kernel see a reset, and the client an EPIPE instead of the answer; reading
 * the rest first lets the answer through.
 */
import type { IncomingMessage } from 'node:http';

/** Bytes read past the limit at most before answering anyway. */
export const DISCARD_BOUND_BYTES = 8 * 1024 * 1024;

/** Resolves once `req` has ended, failed, closed, or `maxBytes` more were read. */
export function discardBody(req: IncomingMessage, maxBytes = DISCARD_BOUND_BYTES): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (): void => {
      req.off('data', onData);
      req.off('end', finish);
      req.off('close', finish);
      req.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxBytes) finish();
    };
    req.on('data', onData);
    req.on('end', finish);
    req.on('close', finish);
    req.on('error', finish);
    req.resume();
  });
}
