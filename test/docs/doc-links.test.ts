/**
 * Links between the documentation files never dangle: every relative link of README.md,
 * bench/README.md and docs/ names a file or folder that exists, and every `#anchor` names a
 * heading of the target Markdown file (GitHub's anchor rules).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, docFiles, relativeLinks, repoRoot, slug } from './markdown.js';

describe('documentation links', () => {
  it('slugs headings the way GitHub does', () => {
    expect(slug('`kind: Integration` — an AI backend')).toBe('kind-integration--an-ai-backend');
    expect(slug('File links (`GET /files/:token`)')).toBe('file-links-get-filestoken');
    expect(slug('A/B routing')).toBe('ab-routing');
  });

  it.each(docFiles())('%s', (file) => {
    const broken: string[] = [];
    for (const link of relativeLinks(file)) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? file : relative(repoRoot, join(repoRoot, dirname(file), decodeURI(path)));
      if (!existsSync(join(repoRoot, target))) {
        broken.push(`${link}: no file ${target}`);
        continue;
      }
      if (anchor !== undefined && target.endsWith('.md') && !anchors(target).has(anchor)) broken.push(`${link}: no heading #${anchor} in ${target}`);
    }
    expect(broken).toEqual([]);
  });
});
