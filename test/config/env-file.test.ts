/** Env files: dotenv forms and Kubernetes Secret/ConfigMap manifests, names with their lines. */
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../runtime/config/env-file.js';

const names = (text: string) => parseEnvFile(text, 'f').declarations.map((d) => `${d.name}@${d.line}:${d.column}`);

describe('parseEnvFile', () => {
  it('dotenv: comments, blank lines, export, quotes, multi-line quoted values, bare names', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'export EXPORTED=1',
      '  INDENTED = spaced',
      'EMPTY=',
      'BARE',
      'DOUBLE="a # not a comment"',
      "SINGLE='x'",
      'MULTI="line one',
      'NOT_A_NAME=inside the quoted value',
      'line three"',
      'AFTER=ok # trailing comment',
    ].join('\n');
    expect(names(text)).toEqual(['PLAIN@3:1', 'EXPORTED@4:8', 'INDENTED@5:3', 'EMPTY@6:1', 'BARE@7:1', 'DOUBLE@8:1', 'SINGLE@9:1', 'MULTI@10:1', 'AFTER@13:1']);
    expect(parseEnvFile(text, 'f').problems).toEqual([]);
  });

  it('dotenv: a line that is not NAME=value is a located problem', () => {
    const r = parseEnvFile('OK=1\n1BAD=2\nwhat is this\n', '.env');
    expect(r.declarations.map((d) => d.name)).toEqual(['OK']);
    expect(r.problems.map((p) => `${p.line}:${p.column}`)).toEqual(['2:1', '3:1']);
  });

  it('Kubernetes: data and stringData keys of Secrets and ConfigMaps across documents; other kinds ignored', () => {
    const text = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: sb',
      'type: Opaque',
      'data:',
      '  OPENAI_API_KEY: c2stMTIz',
      'stringData:',
      '  TELEGRAM_BOT_TOKEN: "123:abc"',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: ignored',
      'data:',
      '  NOT_DECLARED: x',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: cfg',
      'data:',
      '  LOG_LEVEL: info',
    ].join('\n');
    expect(names(text)).toEqual(['OPENAI_API_KEY@7:3', 'TELEGRAM_BOT_TOKEN@9:3', 'LOG_LEVEL@23:3']);
  });
});
