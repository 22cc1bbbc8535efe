/** The metric table of docs/observability.md, for the tests that compare it with /metrics and the ops files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** name → {type, labels} from the table under "## Metrics". */
export function documentedMetrics(): Map<string, { type: string; labels: string[] }> {
  const doc = readFileSync(join(root, 'docs', 'observability.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Metrics'));
  const out = new Map<string, { type: string; labels: string[] }>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z0-9_]+)` \| (counter|gauge|histogram) \| ([^|]+) \|/.exec(line);
    if (m) out.set(m[1] as string, { type: m[2] as string, labels: [...(m[3] as string).matchAll(/`([a-z_]+)`/g)].map((l) => l[1] as string) });
  }
  return out;
}

