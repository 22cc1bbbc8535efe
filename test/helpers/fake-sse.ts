/**
 * Writing server-sent events from a fake server (test/helpers/fake-webhook.ts): the stream
 * head, events, comments, and a record of whether the client closed the connection before
 * the stream ended (how a test proves an upstream request was cancelled).
 */
import type { ServerResponse } from 'node:http';

/** Starts a `200 text/event-stream` reply and flushes the head at once. */
export function startSse(res: ServerResponse, contentType = 'text/event-stream; charset=utf-8'): void {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  res.flushHeaders();
}

/** Writes one event: `data` is JSON-encoded unless it is a string already. */
export function sseEvent(res: ServerResponse, data: unknown, event?: string): void {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  res.write(`${event ? `event: ${event}\n` : ''}${text.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`);
}

/** Writes a comment line (a keep-alive). */
export function sseComment(res: ServerResponse, text = 'keep-alive'): void {
  res.write(`: ${text}\n\n`);
}

/** A promise with its resolver, for a server that waits on the test. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves true when the client closed `res` before the server ended it. */
export function closedByClient(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => res.once('close', () => resolve(!res.writableEnded)));
}

/** Sends a keep-alive comment every `everyMs` until the response closes (a backend that is alive but silent). */
export function keepAlive(res: ServerResponse, everyMs: number): void {
  const t = setInterval(() => sseComment(res), everyMs);
  res.once('close', () => clearInterval(t));
}
