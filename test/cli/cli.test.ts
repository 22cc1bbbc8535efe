/**
 * The `switchboard` dispatcher through the built binary: --help, --version, schema, unknown
 * commands; plus the in-process `main` with a captured CliIO.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands, main } from '../../runtime/cli.js';
import type { CliIO } from '../../runtime/cli/io.js';
import { cliPath, ensureBuilt, repoRoot, runCli } from './built-cli.js';

beforeAll(() => ensureBuilt(), 240_000);

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

describe('switchboard (built binary)', () => {
  it('starts with a node shebang', () => {
    expect(readFileSync(cliPath, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('--version prints the package.json version', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('--help lists every command and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const name of ['validate', 'serve', 'test', 'schema']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('COMMAND --help prints that command\'s usage and exits 0', async () => {
    const v = await runCli(['validate', '--help']);
    expect(v.code).toBe(0);
    expect(v.stdout.startsWith('Usage: switchboard validate [DIR...] [options]\n')).toBe(true);
    const s = await runCli(['schema', '--help']);
    expect(s.code).toBe(0);
    expect(s.stdout.startsWith('Usage: switchboard schema\n')).toBe(true);
    expect((await runCli(['help', 'validate'])).stdout).toBe(v.stdout);
  });

  it('schema prints integrations.schema.json, also from another cwd', async () => {
    const r = await runCli(['schema'], { cwd: '/' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(repoRoot, 'integrations.schema.json'), 'utf8'));
    expect(JSON.parse(r.stdout).title).toBe('Switchboard document');
  });

  it('exits 2 on no command, an unknown command or an unknown option', async () => {
    for (const args of [[], ['frobnicate'], ['--frobnicate'], ['schema', '--frobnicate']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toContain('Usage: switchboard');
    }
    expect((await runCli(['frobnicate'])).stderr.split('\n')[0]).toBe('switchboard: unknown command "frobnicate"');
  });
});

describe('main (in-process)', () => {
  function capture(env: NodeJS.ProcessEnv = {}): { io: CliIO; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, cwd: repoRoot }, out, err };
  }

  it('dispatches to the command modules, with serve, test, diff and init entries present', async () => {
    expect(Object.keys(commands).sort()).toEqual(['diff', 'init', 'schema', 'serve', 'test', 'validate']);
    for (const c of Object.values(commands)) expect(typeof (await c.load()).run).toBe('function');
    const { io, out } = capture();
    expect(await main(['validate', '--format', 'json', 'integrations'], io)).toBe(0);
    expect(out.join('')).toBe('[]\n');
  });
});
