/**
 * The package works outside this repository: `npm pack` gives a tarball that installs into
 * an empty project with no warnings (in particular no EBADENGINE: the dependency tree a
 * consumer gets must not contain a package that needs a newer Node than `engines` allows;
 * this repository's own `.npmrc` and overrides do not apply there), and from that project
 * the `switchboard` bin (`--version`, `validate`, `schema`, `serve`) and
 * `import('switchboard/webhook')` work.
 *
 * The tarball is packed with `--ignore-scripts`: `prepack` would rebuild dist/ while other
 * test files run the built CLI, and `npm test` has just built it. That `prepack` builds is
 * checked from package.json.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../cli/built-cli.js';
import { waitFor } from '../helpers/config-tree.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };
const dir = mkdtempSync(join(tmpdir(), 'swb-pack-'));
const project = join(dir, 'project');
let installOutput = '';
let server: ChildProcess | undefined;

/** A user's environment: no npm_* variables inherited from the `npm test` that runs us. */
const env = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && !k.startsWith('VITEST')));
const inProject = (cmd: string, args: string[]) => run(cmd, args, { cwd: project, env: env(), timeout: 180_000, maxBuffer: 16 << 20 });

beforeAll(async () => {
  ensureBuilt();
  const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: repoRoot, env: env(), timeout: 120_000 });
  const tarball = join(dir, packed.stdout.trim().split('\n').at(-1)!);
  mkdirSync(join(project, 'integrations'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-bots', version: '1.0.0', private: true, type: 'module' }));
  copyFileSync(join(repoRoot, 'integrations', 'demo.yaml'), join(project, 'integrations', 'demo.yaml'));
  const installed = await inProject('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball]);
  installOutput = `${installed.stdout}${installed.stderr}`;
}, 300_000);

afterAll(() => {
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('npm pack → npm install in another project', () => {
  it('prepack builds dist/', () => {
    expect(pkg.scripts.prepack).toMatch(/npm run build/);
  });

  it('installs with no warnings', () => {
    expect(installOutput).toMatch(/added \d+ packages?/);
    expect(installOutput.split('\n').filter((l) => /warn|EBADENGINE|deprecated/i.test(l))).toEqual([]);
    expect(readdirSync(join(project, 'node_modules', 'switchboard', 'dist', 'runtime'))).toContain('cli.js');
  });

  it('npx switchboard --version, validate and schema work', async () => {
    expect((await inProject('npx', ['switchboard', '--version'])).stdout.trim()).toBe(pkg.version);
    expect((await inProject('npx', ['switchboard', 'validate', 'integrations'])).stdout).toMatch(/^valid: 1 file, 2 documents/m);
    const schema = JSON.parse((await inProject('npx', ['switchboard', 'schema'])).stdout) as unknown;
    expect(schema).toEqual(JSON.parse(readFileSync(join(repoRoot, 'integrations.schema.json'), 'utf8')));
    const installedSchema = JSON.parse(readFileSync(join(project, 'node_modules', 'switchboard', 'integrations.schema.json'), 'utf8')) as unknown;
    expect(installedSchema).toEqual(schema);
  });

  it("import('switchboard/webhook') gives the webhook helpers", async () => {
    const { stdout } = await inProject('node', ['--input-type=module', '-e', "const m = await import('switchboard/webhook'); console.log(typeof m.verifyWebhook)"]);
    expect(stdout.trim()).toBe('function');
  });

  it('switchboard serve answers /healthz with the version', { timeout: 60_000 }, async () => {
    server = spawn(join(project, 'node_modules', '.bin', 'switchboard'), ['serve', '--port', '0'], { cwd: project, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1], 30_000, 'switchboard is listening');
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: pkg.version });
  });
});
