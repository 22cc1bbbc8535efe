/**
 * The README is the user's front door: every error code, every config rule id and every
 * documented config key must be in it, and its quick-start example must match the demo.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { botSchema, integrationSchema } from '../../schema/config.js';
import { rules } from '../../runtime/config/rules.js';
import { errorCodes } from '../../runtime/core/errors.js';
import { LOAD_ERROR_RULE } from '../../runtime/reload/config-manager.js';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const docsDir = join(root, 'docs');
/** Table rows of the reference pages in docs/, where keys may be documented instead of the README. */
const docsRows = existsSync(docsDir)
  ? readdirSync(docsDir)
      .filter((f) => f.endsWith('.md'))
      .flatMap((f) => readFileSync(join(docsDir, f), 'utf8').split('\n').filter((l) => l.startsWith('|')))
      .join('\n')
  : '';

/** The rows of the Markdown table that follows `heading` in the README. */
function tableAfter(heading: string): string[] {
  return tableIn(readme, heading);
}

/** The rows of the Markdown table that follows `heading` in `doc`. */
function tableIn(doc: string, heading: string): string[] {
  const start = doc.indexOf(heading);
  expect(start, `the document has "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = doc.slice(start).split('\n').slice(1);
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[] = [];
  for (const l of lines.slice(first)) {
    if (!l.startsWith('|')) break;
    rows.push(l);
  }
  return rows.slice(2);
}

describe('README', () => {
  it('documents every error code with its status', () => {
    const rows = tableAfter('### Errors');
    const documented = new Map(rows.map((r) => r.split('|').map((c) => c.trim())).map((c) => [c[1]?.replace(/`/g, ''), Number(c[2])]));
    for (const [code, { status }] of Object.entries(errorCodes)) {
      expect(documented.get(code), code).toBe(status);
    }
    expect(documented.size).toBe(Object.keys(errorCodes).length);
  });

  it('lists exactly the config rule ids', () => {
    const rows = tableAfter('#### Rule ids');
    const documented = rows.map((r) => r.split('|')[1]!.trim().replace(/`/g, '')).sort();
    expect(documented).toEqual([...Object.keys(rules), LOAD_ERROR_RULE].sort());
  });

  it('documents every key of both document kinds', () => {
    // Reference docs are moving to docs/: keys may be documented in a docs/ table instead.
    const integrationRows = `${tableAfter('### `kind: Integration`').join('\n')}\n${docsRows}`;
    const botRows = `${tableAfter('### `kind: Bot`').join('\n')}\n${docsRows}`;
    for (const key of Object.keys(integrationSchema.shape)) {
      if (['apiVersion', 'kind', 'name'].includes(key)) continue;
      expect(integrationRows, key).toContain(`\`${key}\``);
    }
    for (const key of Object.keys(botSchema.shape)) {
      if (['apiVersion', 'kind', 'name'].includes(key)) continue;
      expect(botRows, key).toMatch(new RegExp(`\`${key}(\\.|\`)`));
    }
  });

  it("quick start's curl matches the demo bot and its echo integration", () => {
    const demo = readFileSync(join(root, 'integrations', 'demo.yaml'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('/channels/http/demo');
    const name = /kind: Integration\nname: (\S+)\ntype: echo/.exec(demo)?.[1];
    expect(name).toBeDefined();
    expect(readme).toContain(`{"content":"hello","integration":"${name}"}`);
  });
});
