import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnvTemplate, resolveEnvTemplate } from '../../runtime/config/env-ref.js';
import { createConfigLoader } from '../../runtime/config/loader.js';

const resolve = (s: string, env: NodeJS.ProcessEnv) => {
  const t = parseEnvTemplate(s);
  return t ? resolveEnvTemplate(t, env) : { value: s, missing: [], fromEnv: [] };
};

describe('env references', () => {
  it('leaves strings without ${ alone (and $VAR is not a reference)', () => {
    expect(parseEnvTemplate('plain $HOME $ {X} $$')).toBeNull();
  });

  it('resolves ${VAR} and ${VAR:-default}', () => {
    expect(resolve('Bearer ${KEY}', { KEY: 'k1' })).toEqual({ value: 'Bearer k1', missing: [], fromEnv: ['k1'] });
    expect(resolve('${A}-${B:-dflt}', { A: 'a', B: 'b' })).toEqual({ value: 'a-b', missing: [], fromEnv: ['a', 'b'] });
    expect(resolve('${B:-dflt}', {})).toEqual({ value: 'dflt', missing: [], fromEnv: [] });
    expect(resolve('${B:-}', {})).toEqual({ value: '', missing: [], fromEnv: [] });
  });

  it('treats set-but-empty as unset, and :- falls back on empty too', () => {
    expect(resolve('${A}', { A: '' }).missing.map((r) => r.name)).toEqual(['A']);
    expect(resolve('${A:-x}', { A: '' }).value).toBe('x');
  });

  it('turns $${ into a literal ${', () => {
    expect(resolve('$${NOT_A_REF} and ${REAL}', { REAL: 'r' })).toEqual({ value: '${NOT_A_REF} and r', missing: [], fromEnv: ['r'] });
    expect(parseEnvTemplate('$${X}')?.refs).toEqual([]);
  });

  it('does not interpolate env values again', () => {
    expect(resolve('${A}', { A: '${B}', B: 'no' }).value).toBe('${B}');
  });

  it('flags anything else starting with ${ as malformed, with its offset', () => {
    for (const bad of ['${1A}', '${A', '${A:B}', '${}', '${A-B}', '${A B}', '${A:-${B}}']) {
      expect(parseEnvTemplate(`x ${bad}`)?.malformed[0]?.index, bad).toBe(2);
    }
    expect(parseEnvTemplate('${A:-$HOME}')).toMatchObject({ malformed: [], refs: [{ name: 'A', fallback: '$HOME', index: 0 }] });
  });
});

describe('interpolation in the loader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'a.yaml'),
    [
      'apiVersion: switchboard/v1',
      'kind: Integration',
      'name: env-demo',
      'url: https://${HOST:-bot.example.com}/hook',
      'headers:',
      '  X-Yaml: ${YAML_LOOKING}',
      '  X-Literal: $${NOT_EXPANDED}',
      '  X-Number: ${NUMBER}',
      '---',
      'apiVersion: switchboard/v1',
      'kind: Bot',
      'name: ${BOT_NAME}',
      'channels: {http: {}}',
      'integrations: [{name: env-demo}]',
      '',
    ].join('\n'),
  );

  it('happens after parsing, on strings only: an env value with YAML syntax stays a string', async () => {
    const yamlish = '{a: 1}\n- b: [2]\n*alias &x !!binary';
    const r = await createConfigLoader().load(dir, { env: { YAML_LOOKING: yamlish, NUMBER: '42', BOT_NAME: 'envbot' } });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const i = r.snapshot.integrations.get('env-demo');
    expect(i?.url).toBe('https://bot.example.com/hook');
    expect(i?.headers).toEqual({ 'X-Yaml': yamlish, 'X-Literal': '${NOT_EXPANDED}', 'X-Number': '42' });
    expect(r.snapshot.bots.has('envbot')).toBe(true);
    expect([...r.snapshot.secrets].sort()).toEqual(['42', 'envbot', yamlish]);
  });

  it('judges URLs after resolution, without printing the env value', async () => {
    const r = await createConfigLoader().load(dir, { env: { HOST: '10.0.0.7', YAML_LOOKING: 'y', NUMBER: '1', BOT_NAME: 'b' }, cwd: dir });
    expect(r.problems).toEqual([
      { file: 'a.yaml', line: 4, column: 6, rule: 'private-network', message: 'url: "***" is a private, loopback or link-local address; allowed only with --allow-private-network' },
    ]);
  });

  it('does not mask values shorter than four characters (an env value "1" is no secret)', async () => {
    const short = mkdtempSync(join(tmpdir(), 'sb-env-short-'));
    try {
      writeFileSync(join(short, 'a.yaml'), ['apiVersion: switchboard/v1', 'kind: Integration', 'name: short-env', 'url: https://10.0.0.${N}/hook', ''].join('\n'));
      const r = await createConfigLoader().load(short, { env: { N: '1' }, cwd: short });
      expect(r.problems.map((p) => p.message)).toEqual(['url: "10.0.0.1" is a private, loopback or link-local address; allowed only with --allow-private-network']);
    } finally {
      rmSync(short, { recursive: true, force: true });
    }
  });

  it('reports each missing variable at its reference', async () => {
    const r = await createConfigLoader().load(dir, { env: {}, cwd: dir });
    expect(r.problems.map((p) => `${p.line}:${p.column} ${p.rule} ${p.message.split(' (')[0]}`)).toEqual([
      '6:11 env-missing environment variable YAML_LOOKING is not set',
      '8:13 env-missing environment variable NUMBER is not set',
      '12:7 env-missing environment variable BOT_NAME is not set',
    ]);
  });
});
