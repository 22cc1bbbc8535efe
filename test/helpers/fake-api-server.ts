/**
 * Plumbing the fake channel APIs (Telegram, Slack) share: a loopback HTTP server on port 0,
 * a log of recorded calls that tests can wait on, a per-method queue of scripted failures,
 * and a request-body reader. Each fake keeps its own routes and answers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Stops listening and drops keep-alive connections. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0) with an async `handler`. */
export async function listenLoopback(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface CallLog<C extends { method: string }> {
  calls: C[];
  /** Calls of one method. */
  callsOf(method: string): C[];
  /** Appends a call and wakes `waitFor`. */
  record(call: C): void;
  /** Resolves once `count` calls of `method` were recorded (rejects after `timeoutMs`). */
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<C[]>;
}

/** A call log whose `waitFor` wakes as soon as a call is recorded (and re-checks every 50 ms). */
export function createCallLog<C extends { method: string }>(): CallLog<C> {
  const calls: C[] = [];
  const waiters: Array<() => void> = [];
  const log: CallLog<C> = {
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    record(call) {
      calls.push(call);
      for (const w of waiters.splice(0)) w();
    },
    async waitFor(method, count = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (log.callsOf(method).length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${count} ${method} call(s); got ${log.callsOf(method).length}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 50));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return log.callsOf(method);
    },
  };
  return log;
}

export interface FailureQueue<F> {
  /** The next `times` calls of `method` get `failure`. */
  add(method: string, failure: F, times: number): void;
  /** The failure scripted for this call of `method`, if any (consumed). */
  next(method: string): F | undefined;
}

/** Scripted failures, first in first out per method. */
export function createFailureQueue<F>(): FailureQueue<F> {
  const queues = new Map<string, F[]>();
  return {
    add(method, failure, times) {
      const list = queues.get(method) ?? [];
      for (let i = 0; i < times; i++) list.push(failure);
      queues.set(method, list);
    },
    next: (method) => queues.get(method)?.shift(),
  };
}

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
