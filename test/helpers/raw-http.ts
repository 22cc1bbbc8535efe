/** Raw-socket HTTP for tests of what Node and Fastify do below the request object. */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (end or reset) after answering. */
  closed: boolean;
  /** A socket error seen by the client (EPIPE, ECONNRESET…), if any. */
  error?: string;
}

/** Opens a TCP connection to `port` on 127.0.0.1. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Writes `chunks` to a new connection (each awaited), then reads until the server closes it
 * or `timeoutMs` passes; parses the first response.
 */
export async function rawRequest(port: number, chunks: Array<string | Buffer>, timeoutMs = 30_000): Promise<RawResponse> {
  const socket = await openSocket(port);
  return readResponse(socket, chunks, timeoutMs);
}

/** Like `rawRequest` on an already open socket. */
export function readResponse(socket: Socket, chunks: Array<string | Buffer>, timeoutMs = 30_000): Promise<RawResponse> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseResponse(Buffer.concat(received).toString('utf8')), closed, ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on('close', () => finish(true));
    void (async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        await new Promise<void>((r) => socket.write(c, () => r()));
      }
    })();
  });
}

function parseResponse(text: string): Omit<RawResponse, 'closed' | 'error'> {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: text };
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  // A 100 Continue comes before the real answer.
  if (/^HTTP\/1\.1 100/.test(statusLine)) return parseResponse(text.slice(end + 4));
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}
