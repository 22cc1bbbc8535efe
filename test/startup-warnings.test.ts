/**
 * Startup warnings match the setup: the files-secret warning only when a Telegram or Slack
 * bot can receive files, the open-admin warning only when the admin routes are reachable
 * from other machines, and a `$NAME` (no braces) in a header named with its fix.
 */
import { describe, expect, it } from 'vitest';
import { configWarnings, isLoopbackHost, startupWarnings } from '../runtime/startup-warnings.js';
import { bot, integration, snapshot } from './helpers/snapshot.js';

const httpOnly = snapshot([bot('demo')], [integration('primary')]);
const telegram = snapshot([bot('demo'), bot('tg', { channels: { telegram: { token: 't', secretToken: 's', apiUrl: 'https://api.telegram.org' } } })], [integration('primary')]);
const slack = snapshot([bot('sl', { channels: { slack: { botToken: 'b', signingSecret: 's', apiUrl: 'https://slack.com/api' } } })], [integration('primary')]);

describe('startupWarnings', () => {
  it('says nothing for the demo on loopback with no secrets set', () => {
    expect(startupWarnings({ env: {}, host: '127.0.0.1', snapshot: httpOnly })).toEqual([]);
  });

  it('warns about SWITCHBOARD_FILES_SECRET only when a Telegram or Slack bot exists', () => {
    for (const s of [telegram, slack]) {
      const w = startupWarnings({ env: {}, host: '127.0.0.1', snapshot: s });
      expect(w).toHaveLength(1);
      expect(w[0]).toMatch(/^SWITCHBOARD_FILES_SECRET is not set: links to files users send to "(tg|sl)"/);
    }
    expect(startupWarnings({ env: { SWITCHBOARD_FILES_SECRET: 'x' }, host: '127.0.0.1', snapshot: telegram })).toEqual([]);
  });

  it('warns that admin routes are open when there is no admin token and the host is not loopback', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'switchboard.internal']) {
      const w = startupWarnings({ env: {}, host, snapshot: httpOnly });
      expect(w, host).toEqual([expect.stringMatching(new RegExp(`^SWITCHBOARD_ADMIN_TOKEN is not set and the runtime listens on ${host.replace(/\./g, '\\.')}: /config, /metrics`))]);
    }
    expect(startupWarnings({ env: { SWITCHBOARD_ADMIN_TOKEN: 'x' }, host: '0.0.0.0', snapshot: httpOnly })).toEqual([]);
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost']) expect(isLoopbackHost(host), host).toBe(true);
  });
});

describe('startupWarnings: connection cap and open files', () => {
  it('warns when SWITCHBOARD_MAX_CONNECTIONS needs more descriptors than the open-files limit gives', () => {
    const w = startupWarnings({ env: { SWITCHBOARD_MAX_CONNECTIONS: '800' }, host: '127.0.0.1', snapshot: httpOnly, connections: { max: 800, openFiles: 1024 } });
    expect(w).toEqual([expect.stringMatching(/^SWITCHBOARD_MAX_CONNECTIONS is 800, but the open-files limit \(ulimit -n\) is 1024: .* at 384 waiting callers .*EMFILE/)]);
  });

  it('says nothing when the cap fits, when it is the derived default, or when the limit is unknown', () => {
    expect(startupWarnings({ env: { SWITCHBOARD_MAX_CONNECTIONS: '384' }, host: '127.0.0.1', snapshot: httpOnly, connections: { max: 384, openFiles: 1024 } })).toEqual([]);
    expect(startupWarnings({ env: {}, host: '127.0.0.1', snapshot: httpOnly, connections: { max: 384, openFiles: 1024 } })).toEqual([]);
    expect(startupWarnings({ env: { SWITCHBOARD_MAX_CONNECTIONS: '5000' }, host: '127.0.0.1', snapshot: httpOnly, connections: { max: 5000, openFiles: undefined } })).toEqual([]);
  });
});

describe('configWarnings', () => {
  it('names a $NAME without braces in a header value, with the fix', () => {
    const s = snapshot([], [integration('hook', { headers: { Authorization: 'Bearer $MY_TOKEN' }, source: { file: 'integrations/hook.yaml', line: 3 } })]);
    expect(configWarnings(s)).toEqual([
      'integration "hook" (integrations/hook.yaml:3): header Authorization contains "$MY_TOKEN", which is sent as written; to use the environment variable write ${MY_TOKEN}',
    ]);
  });

  it('never quotes a value that came from the environment', () => {
    const s = snapshot([], [integration('hook', { headers: { Authorization: 'Bearer pa$Sword' } })], { secrets: ['pa$Sword'] });
    expect(configWarnings(s)).toEqual([]);
    expect(configWarnings(snapshot([], [integration('hook', { headers: { Authorization: 'Bearer abc' } })]))).toEqual([]);
  });
});

describe('startRuntime logs the warnings of its setup', () => {
  it('the demo on loopback starts without warnings; on 0.0.0.0 it warns about the open admin routes', async () => {
    const { default: pino } = await import('pino');
    const { startRuntime } = await import('../runtime/runtime.js');
    for (const [host, expected] of [
      ['127.0.0.1', []],
      ['0.0.0.0', [expect.stringMatching(/^SWITCHBOARD_ADMIN_TOKEN is not set and the runtime listens on 0\.0\.0\.0/)]],
    ] as const) {
      const lines: Array<{ level: number; msg: string }> = [];
      const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) });
      const runtime = await startRuntime({ configDir: 'integrations', host, env: {}, logger, listen: false, watch: false });
      await runtime.close();
      expect(lines.filter((l) => l.level >= 40).map((l) => l.msg), host).toEqual(expected);
    }
  });
});
