/**
 * The ReplyStream plumbing: a DeltaQueue hands its deltas over in order either way (async
 * iteration or the synchronous `each`), buffered ones first, and ends when the queue ends;
 * a reply without deltas ends at once.
 */
import { describe, expect, it } from 'vitest';
import { DeltaQueue, liveReply, replyOnly } from '../../runtime/pipeline/reply-stream.js';

describe('DeltaQueue', () => {
  it('iterates the buffered deltas, then the new ones, and ends with the queue', async () => {
    const q = new DeltaQueue();
    q.push({ delta: 'a' });
    const seen: string[] = [];
    const done = (async () => {
      for await (const d of q) {
        seen.push(d.delta);
        if (d.delta === 'b') q.push({ delta: 'c' });
      }
    })();
    q.push({ delta: 'b' });
    await Promise.resolve();
    q.end();
    await done;
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('each: buffered deltas first, then each push at once, resolved by end()', async () => {
    const q = new DeltaQueue();
    q.push({ delta: 'a' });
    const seen: string[] = [];
    const drained = q.each((d) => seen.push(d.delta));
    expect(seen).toEqual(['a']);
    q.push({ delta: 'b' });
    // Synchronous: no turn of the event loop between push and delivery.
    expect(seen).toEqual(['a', 'b']);
    let over = false;
    void drained.then(() => (over = true));
    await Promise.resolve();
    expect(over).toBe(false);
    q.end();
    await drained;
    expect(over).toBe(true);
  });

  it('a reply without deltas yields none and each resolves at once', async () => {
    const r = replyOnly(Promise.resolve({ content: 'x', attachments: [] }));
    const seen: string[] = [];
    for await (const d of r) seen.push(d.delta);
    await r.each((d) => seen.push(d.delta));
    expect(seen).toEqual([]);
    const q = new DeltaQueue();
    q.end();
    await liveReply(q, r.reply).each(() => seen.push('never'));
    expect(seen).toEqual([]);
  });
});
