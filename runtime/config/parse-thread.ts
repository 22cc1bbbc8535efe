/**
 * The worker-thread side of `createThreadParser`: parses file texts it is sent and posts the
 * `ParsedFile` back (plain data, so it crosses the thread boundary by structured clone).
 */
import { parentPort } from 'node:worker_threads';
import { parseFile } from './parse-file.js';

const port = parentPort;
port?.on('message', (msg: { id: number; text: string }) => {
  try {
    port.postMessage({ id: msg.id, parsed: parseFile(msg.text) });
  } catch (err) {
    port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
