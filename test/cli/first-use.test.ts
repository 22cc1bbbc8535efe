/**
 * Rough edges a new user hits with the built binary: the private-network env flag read the
 * same way by every command, usage errors for impossible ports, JSON on stdout for JSON
 * consumers even when the directory is missing, and `switchboard test` needing only the
 * environment of the integration it tests.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/config-tree.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { cliPath, ensureBuilt, runCli } from './built-cli.js';

let webhook: FakeServer;
const dir = mkdtempSync(join(tmpdir(), 'swb-first-use-'));

beforeAll(async () => {
  ensureBuilt();
  webhook = await startFakeServer((_req, res) => sendJson(res, 200, { content: 'pong' }));
  // A local webhook (private network) and, in another file, a Telegram bot whose token is unset.
  writeFileSync(
    join(dir, 'local.yaml'),
    `apiVersion: switchboard/v1\nkind: Integration\nname: local-hook\nurl: ${webhook.origin}/hook\nheaders:\n  X-Key: \${LOCAL_KEY:-none}\n---\napiVersion: switchboard/v1\nkind: Bot\nname: local\nchannels:\n  http: {}\nintegrations:\n  - name: local-hook\n`,
  );
  writeFileSync(
    join(dir, 'keyed.yaml'),
    `apiVersion: switchboard/v1\nkind: Integration\nname: keyed-hook\nurl: ${webhook.origin}/keyed\nheaders:\n  Authorization: Bearer \${KEYED_TOKEN}\n`,
  );
  writeFileSync(
    join(dir, 'telegram.yaml'),
    `apiVersion: switchboard/v1\nkind: Bot\nname: tg\nchannels:\n  telegram:\n    token: \${TG_TOKEN_NOT_SET}\n    secretToken: \${TG_SECRET_NOT_SET}\nintegrations:\n  - name: local-hook\n`,
  );
}, 240_000);
afterAll(async () => {
  await webhook.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `serve` and resolves with its URL once listening, or with its exit code. */
function serve(args: string[], env: NodeJS.ProcessEnv): Promise<{ url?: string; code?: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d: string): void => {
      output += d;
      const url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
      if (url) {
        child.kill('SIGKILL');
        resolve({ url, output });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('SWITCHBOARD_ALLOW_PRIVATE_NETWORK', () => {
  for (const value of ['1', 'true', 'TRUE', 'yes']) {
    it(`=${value}: validate, serve and test all allow a loopback webhook`, { timeout: 60_000 }, async () => {
      const env = { SWITCHBOARD_ALLOW_PRIVATE_NETWORK: value, TG_TOKEN_NOT_SET: 't', TG_SECRET_NOT_SET: 's', KEYED_TOKEN: 'k' };
      expect((await runCli(['validate', dir], { env })).code).toBe(0);
      const served = await serve(['--config', dir], env);
      expect(served.url, served.output).toBeDefined();
      const tested = await runCli(['test', 'local-hook', '--config', dir], { env });
      expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    });
  }

  it('=no: every command refuses the loopback webhook', { timeout: 60_000 }, async () => {
    const env = { SWITCHBOARD_ALLOW_PRIVATE_NETWORK: 'no', TG_TOKEN_NOT_SET: 't', TG_SECRET_NOT_SET: 's', KEYED_TOKEN: 'k' };
    expect((await runCli(['validate', dir], { env })).stdout).toMatch(/\((private-network|insecure-url)\)/);
    expect((await serve(['--config', dir], env)).code).toBe(1);
    expect((await runCli(['test', 'local-hook', '--config', dir], { env })).code).toBe(1);
  });
});

describe('serve --port', () => {
  for (const [args, env] of [[['--port', '70000'], {}], [['--port', 'abc'], {}], [[], { PORT: '65536' }]] as const) {
    it(`${args.join(' ') || `PORT=${env.PORT}`} is a usage error (exit 2), not an internal error`, async () => {
      const r = await runCli(['serve', '--config', 'integrations', ...args], { env: { ...env } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/must be a number from 0 to 65535/);
      expect(r.stderr).not.toMatch(/options\.port|ERR_SOCKET_BAD_PORT/);
    });
  }
});

describe('validate with a missing directory', () => {
  it('--format json still prints JSON on stdout (exit 2)', async () => {
    const r = await runCli(['validate', 'no/such/dir', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual([{ file: 'no/such/dir', line: 1, column: 1, rule: 'config-dir', severity: 'error', message: 'config directory no/such/dir does not exist' }]);
  });
  it('--format github prints an annotation on stdout (exit 2)', async () => {
    const r = await runCli(['validate', 'no/such/dir', '--format', 'github']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('::error file=no/such/dir,line=1,col=1,title=config-dir::config directory no/such/dir does not exist\n');
  });
});

describe('switchboard test needs only the env of the integration it tests', () => {
  it('works while another bot references unset variables', async () => {
    const r = await runCli(['test', 'local-hook', '--config', dir, '--allow-private-network'], { env: { KEYED_TOKEN: 'k' } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('pong');
    await waitFor(() => webhook.requests.some((q) => q.path === '/hook'), 5000, 'the test request');
  });
  it("still names the integration's own unset variable", async () => {
    const r = await runCli(['test', 'keyed-hook', '--config', dir, '--allow-private-network'], { env: {} });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/keyed\.yaml:6:\d+: error: environment variable KEYED_TOKEN is not set/);
    expect(r.stdout).not.toMatch(/TG_TOKEN_NOT_SET/);
  });
});
