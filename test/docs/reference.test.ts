/**
 * The reference documentation is complete: every error code (docs/http-api.md), every config
 * rule id (docs/cli.md) and every config key (docs/configuration.md) is documented, and the
 * README's quick start matches the demo.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { botSchema, integrationSchema } from '../../schema/config.js';
import { rules } from '../../runtime/config/rules.js';
import { errorCodes } from '../../runtime/core/errors.js';
import { LOAD_ERROR_RULE } from '../../runtime/reload/config-manager.js';

const root = join(import.meta.dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const readme = read('README.md');
const docsDir = join(root, 'docs');
/** Table rows of every page in docs/. */
const docsRows = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .flatMap((f) => read(join('docs', f)).split('\n').filter((l) => l.startsWith('|')))
  .join('\n');

/** The rows of the Markdown table that follows `heading` in `file`. */
function tableAfter(file: string, heading: string): string[] {
  const text = read(file);
  const start = text.indexOf(heading);
  expect(start, `${file} has "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = text.slice(start).split('\n').slice(1);
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[] = [];
  for (const l of lines.slice(first)) {
    if (!l.startsWith('|')) break;
    rows.push(l);
  }
  return rows.slice(2);
}

describe('reference documentation', () => {
  it('documents every error code with its status', () => {
    const rows = tableAfter('docs/http-api.md', '### Errors');
    const documented = new Map(rows.map((r) => r.split('|').map((c) => c.trim())).map((c) => [c[1]?.replace(/`/g, ''), Number(c[2])]));
    for (const [code, { status }] of Object.entries(errorCodes)) {
      expect(documented.get(code), code).toBe(status);
    }
    expect(documented.size).toBe(Object.keys(errorCodes).length);
  });

  it('lists exactly the config rule ids', () => {
    const rows = tableAfter('docs/cli.md', '### Rule ids');
    const documented = rows.map((r) => r.split('|')[1]!.trim().replace(/`/g, '')).sort();
    expect(documented).toEqual([...Object.keys(rules), LOAD_ERROR_RULE].sort());
  });

  it('documents every key of both document kinds', () => {
    // Keys of later features may be documented in their own docs/ page (streaming, production).
    const integrationRows = `${tableAfter('docs/configuration.md', '## `kind: Integration`').join('\n')}\n${docsRows}`;
    const botRows = `${tableAfter('docs/configuration.md', '## `kind: Bot`').join('\n')}\n${docsRows}`;
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
