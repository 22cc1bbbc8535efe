import { describe, expect, it } from 'vitest';
import { escapeGithubData, escapeGithubProperty, formatProblems } from '../../runtime/config/format.js';
import type { Problem } from '../../runtime/config/snapshot.js';

const problems: Problem[] = [
  { file: 'integrations/a.yaml', line: 2, column: 4, rule: 'unknown-key', message: 'unknown key "wieght" in integrations[0] (did you mean "weight"?)' },
  { file: 'integrations/b,c.yaml', line: 1, column: 1, rule: 'yaml-syntax', message: '100% broken\nsecond line' },
];
const sources = new Map([['integrations/a.yaml', 'integrations:\n\t  wieght: 2\n']]);

describe('formatProblems', () => {
  it('text: FILE:LINE:COL: error: MESSAGE (rule) with the source line and a caret', () => {
    expect(formatProblems(problems, 'text', sources)).toBe(
      [
        'integrations/a.yaml:2:4: error: unknown key "wieght" in integrations[0] (did you mean "weight"?) (unknown-key)',
        '  2 | \t  wieght: 2',
        '    | \t  ^',
        'integrations/b,c.yaml:1:1: error: 100% broken second line (yaml-syntax)',
        '',
      ].join('\n'),
    );
    expect(formatProblems([], 'text')).toBe('');
  });

  it('text: a lookup function works too, and long lines are windowed around the column', () => {
    const long = `key: ${'x'.repeat(300)}BAD${'y'.repeat(300)}`;
    const p: Problem = { file: 'f.yaml', line: 1, column: 306, rule: 'invalid-value', message: 'bad' };
    const out = formatProblems([p], 'text', (f) => (f === 'f.yaml' ? long : undefined)).split('\n');
    expect(out[1]).toBe(`  1 | …${'x'.repeat(40)}BAD${'y'.repeat(117)}…`);
    expect(out[2]).toBe(`    | ${' '.repeat(41)}^`);
  });

  it('github: workflow annotations with escaped data and properties', () => {
    expect(formatProblems(problems, 'github')).toBe(
      '::error file=integrations/a.yaml,line=2,col=4,title=unknown-key::unknown key "wieght" in integrations[0] (did you mean "weight"?)\n' +
        '::error file=integrations/b%2Cc.yaml,line=1,col=1,title=yaml-syntax::100%25 broken%0Asecond line\n',
    );
    expect(escapeGithubData('a%b\r\nc')).toBe('a%25b%0D%0Ac');
    expect(escapeGithubProperty('C:\\x,y')).toBe('C%3A\\x%2Cy');
  });

  it('json: exactly [{file,line,column,rule,severity,message}], [] when valid', () => {
    expect(JSON.parse(formatProblems(problems, 'json'))).toEqual(problems.map((p) => ({ ...p, severity: 'error' })));
    expect(Object.keys(JSON.parse(formatProblems(problems, 'json'))[0])).toEqual(['file', 'line', 'column', 'rule', 'severity', 'message']);
    expect(formatProblems([], 'json')).toBe('[]\n');
  });
});
