/**
 * docs/streaming.md tells the truth: every YAML block validates as a config tree of its own,
 * it documents every streaming key, and its example event stream assembles into the text
 * and metadata it says (through the real parser).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { validateDirs } from '../../runtime/config/validate.js';
import { parseCustomStreamEvent } from '../../runtime/providers/custom-stream.js';
import { finishCustomStream } from '../../runtime/providers/custom.js';
import type { StreamDone } from '../../runtime/providers/stream-step.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'streaming.md'), 'utf8');

function blocks(lang: string): string[] {
  return [...doc.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] as string);
}

describe('docs/streaming.md', () => {
  it('every YAML block is a valid config tree', async () => {
    const yaml = blocks('yaml');
    expect(yaml.length).toBeGreaterThan(0);
    for (const [i, text] of yaml.entries()) {
      const dir = mkdtempSync(join(tmpdir(), 'swb-doc-'));
      try {
        writeFileSync(join(dir, 'doc.yaml'), text);
        const problems = await validateDirs([dir], { env: {}, cwd: dir });
        expect(problems, `yaml block ${i + 1}`).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('documents the streaming keys in its key table', () => {
    for (const key of ['stream', 'firstTokenTimeout', 'idleTimeout']) expect(doc).toMatch(new RegExp(`^\\| \`${key}\` \\|`, 'm'));
  });

  it('the example reply assembles into the text and metadata it names', () => {
    const example = blocks('text').find((b) => b.startsWith('HTTP/1.1 200 OK')) as string;
    const body = example.slice(example.indexOf('\n\n') + 2);
    let text = '';
    let done: StreamDone | undefined;
    const parser = createParser({
      onEvent(event) {
        const step = parseCustomStreamEvent(event);
        expect(step.type).not.toBe('invalid');
        if (step.type === 'delta') text += step.text;
        if (step.type === 'done') done = step.done;
      },
    });
    parser.feed(body);
    expect(done).toBeDefined();
    const reply = finishCustomStream(text, done as StreamDone);
    expect(reply).toEqual({ ok: true, reply: { content: 'Order 4411 shipped on Monday. I have asked the carrier for an update.', metadata: { model: 'support-v2' } } });
    expect(doc).toContain('The reply text is `Order 4411 shipped on Monday. I have asked the carrier for an update.`');
  });
});
