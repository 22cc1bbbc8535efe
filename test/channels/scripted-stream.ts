/**
 * A ReplyStream the test drives by hand: push deltas one by one, then give the final reply,
 * so a channel's live delivery can be observed step by step against a fake platform API.
 */
import type { OutboundReply } from '../../runtime/core/message.js';
import { DeltaQueue, type ReplyStream } from '../../runtime/pipeline/reply-stream.js';

export interface ScriptedStream {
  stream: ReplyStream;
  push(text: string): void;
  finish(reply: OutboundReply): void;
}

export function scriptedStream(): ScriptedStream {
  const queue = new DeltaQueue();
  let resolve!: (r: OutboundReply) => void;
  const reply = new Promise<OutboundReply>((r) => (resolve = r));
  return {
    stream: { reply, each: (fn) => queue.each(fn), [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator]() },
    push: (text) => queue.push({ delta: text }),
    finish: (r) => {
      queue.end();
      resolve(r);
    },
  };
}
