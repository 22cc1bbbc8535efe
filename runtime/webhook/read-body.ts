/**
 * Reading a reply body under a size cap, without buffering more than the cap.
 */
import type { Dispatcher } from 'undici';

/** Largest reply body accepted from a webhook (1 MiB); larger replies are bad replies. */
export const MAX_REPLY_BYTES = 1024 * 1024;
/** Error bodies (non-2xx) are read only this far, to describe the error. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

type Body = Dispatcher.ResponseData['body'];

/** Drops a body we will not read, closing its connection (undici emits an AbortError on destroy; swallow it). */
export function discard(body: Body): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * Reads `body` fully when it is at most `limit` bytes; returns null (and destroys the
 * stream, closing that connection) as soon as it is known to be larger, from
 * Content-Length or from the bytes received. Plain 'data'/'end' listeners rather than
 * `for await` (an async iterator and a promise per chunk on the hot path).
 */
export function readBounded(body: Body, limit: number, contentLength?: string | string[]): Promise<Buffer | null> {
  const declared = typeof contentLength === 'string' ? Number(contentLength) : NaN;
  if (declared > limit) {
    discard(body);
    return Promise.resolve(null);
  }
  // A declared length within the limit: undici enforces it (a longer body is an error), so
  // its own consumer can read it; it bypasses the stream's events, which cost more here.
  if (declared >= 0 && typeof (body as { bytes?: unknown }).bytes === 'function') {
    return (body as unknown as { bytes(): Promise<Uint8Array> }).bytes().then((u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        settled = true;
        body.off('data', onData);
        discard(body);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    body.on('data', onData);
    body.once('end', () => {
      settled = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    body.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    body.once('close', () => {
      if (!settled) reject(new Error('the reply body was closed before its end'));
      settled = true;
    });
  });
}

/** Reads at most `limit` bytes for a description and drops the rest (never throws on size). */
export async function readPrefix(body: Body, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size < limit) chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
    if (size >= limit) {
      discard(body);
      break;
    }
  }
  return Buffer.concat(chunks);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 (BOM stripped) and parses JSON; a message says which step failed. */
export function parseJsonBody(bytes: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, message: 'the reply is not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, message: text.trim() === '' ? 'the reply body is empty, not JSON' : 'the reply is not valid JSON' };
  }
}
