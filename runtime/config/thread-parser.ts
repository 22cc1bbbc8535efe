/**
 * Parsing large config files off the event loop. Parsing one 1 MiB file with 20,000 keys
 * takes about a second of CPU; on the serving thread that second would stall every request
 * during a reload. The loader of a running server hands files above a size to one worker
 * thread (started on first use, unref'd so it never keeps the process alive) and awaits the
 * result; small files, where the message round trip costs more than the parse, stay inline.
 */
import { Worker } from 'node:worker_threads';
import { parseFile, type ParsedFile } from './parse-file.js';

/** Files at least this long (characters) are parsed on the worker thread. */
export const OFF_THREAD_MIN_CHARS = 64 * 1024;

export interface FileParser {
  /** The parse of `text`: on the worker when it is large, inline otherwise (or if the worker fails). */
  parse(text: string): Promise<ParsedFile>;
  /** Stops the worker (later parses start a new one). */
  close(): Promise<void>;
}

type Reply = { id: number; parsed: ParsedFile } | { id: number; error: string };

/**
 * The worker's script: the compiled `parse-thread.js` next to this module. Running from the
 * TypeScript sources (the tests), it is the built copy in `dist/` (`npm test` builds first);
 * a worker that cannot start leaves parsing inline.
 */
function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const worker = new Worker(new URL(fromSource ? '../../dist/runtime/config/parse-thread.js' : './parse-thread.js', import.meta.url));
  worker.unref();
  return worker;
}

/** A parser with one lazily started worker thread. */
export function createThreadParser(opts: { minChars?: number } = {}): FileParser {
  const minChars = opts.minChars ?? OFF_THREAD_MIN_CHARS;
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (p: ParsedFile) => void; reject: (e: Error) => void }>();

  const failAll = (err: Error): void => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
    worker = undefined;
  };
  const ensure = (): Worker => {
    if (worker) return worker;
    const w = startWorker();
    w.on('message', (msg: Reply) => {
      const entry = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (!entry) return;
      if ('error' in msg) entry.reject(new Error(msg.error));
      else entry.resolve(msg.parsed);
    });
    w.on('error', failAll);
    w.on('exit', () => failAll(new Error('the config parse worker exited')));
    worker = w;
    return w;
  };

  return {
    async parse(text) {
      if (text.length < minChars) return parseFile(text);
      try {
        return await new Promise<ParsedFile>((resolve, reject) => {
          const id = nextId++;
          waiting.set(id, { resolve, reject });
          ensure().postMessage({ id, text });
        });
      } catch {
        // The worker could not be started or died: parse here rather than fail the reload.
        return parseFile(text);
      }
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
