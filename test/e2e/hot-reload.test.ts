/**
 * Hot reload through the running runtime: a changed file is served without a restart, an
 * invalid change keeps the last good config (and is shown on /config and in metrics), a fix
 * recovers, and no request fails while the config changes under load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/runtime.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { chat, configDir, runtimeFor, waitFor } from './helpers.js';

let hook: FakeServer;
let cfg: Awaited<ReturnType<typeof configDir>>;
let runtime: Runtime;

const botYaml = (displayName: string, extra = '') => `apiVersion: switchboard/v1
kind: Bot
name: live
displayName: ${displayName}
channels:
  http: {}
integrations:
  - name: hook
${extra}`;

beforeAll(async () => {
  hook = await startFakeServer((req, res) => sendJson(res, 200, { content: (req.json as { bot: { name: string } }).bot.name }));
  cfg = await configDir({
    'hook.yaml': `apiVersion: switchboard/v1\nkind: Integration\nname: hook\nurl: ${hook.origin}/hook\ntimeout: 2s\n`,
    'bot.yaml': botYaml('Version 1'),
  });
  runtime = await runtimeFor(cfg.dir, {}, { watch: true });
});

afterAll(async () => {
  await runtime?.close();
  await hook?.close();
  await cfg?.remove();
});

const say = async () => (await chat(runtime, 'live', { user: { id: 'u' }, text: 'hi' })).json().content as string;

describe('hot reload', () => {
  it('serves a changed file, keeps the last good config on an invalid change, recovers', async () => {
    expect(await say()).toBe('Version 1');
    await cfg.write('bot.yaml', botYaml('Version 2'));
    await waitFor(async () => (await say()) === 'Version 2', 5000, 'the new displayName');

    await cfg.write('bot.yaml', botYaml('Version 3', '    wieght: 5\n'));
    await waitFor(async () => (await runtime.app.inject('/config')).json().lastReloadError !== null, 5000, 'the reload error');
    const config = (await runtime.app.inject('/config')).json();
    expect(config.lastReloadError.problems).toEqual([expect.objectContaining({ file: expect.stringContaining('bot.yaml'), line: 9, column: 5, rule: expect.any(String) })]);
    expect(await say()).toBe('Version 2');
    expect((await runtime.app.inject('/metrics')).body).toContain('switchboard_config_last_reload_valid 0');

    await cfg.write('bot.yaml', botYaml('Version 4'));
    await waitFor(async () => (await say()) === 'Version 4', 5000, 'recovery');
    expect((await runtime.app.inject('/config')).json().lastReloadError).toBeNull();
    expect((await runtime.app.inject('/metrics')).body).toContain('switchboard_config_last_reload_valid 1');
  });

  it('drops no request while the config changes 20 times under load', async () => {
    let stop = false;
    let failures = 0;
    let served = 0;
    const seen = new Set<string>();
    const load = (async () => {
      while (!stop) {
        const res = await chat(runtime, 'live', { user: { id: `load-${served}` }, text: 'x' });
        if (res.statusCode !== 200 || res.json().error) failures++;
        else seen.add(res.json().content);
        served++;
      }
    })();
    for (let i = 0; i < 20; i++) {
      await cfg.write('bot.yaml', botYaml(`Load ${i}`));
      // Each change goes live before the next: 20 real swaps under load, however slow the machine.
      await waitFor(async () => (await say()) === `Load ${i}`, 5000, `change ${i} live`);
    }
    await waitFor(async () => (await say()) === 'Load 19', 5000, 'the last change');
    stop = true;
    await load;
    expect(failures).toBe(0);
    expect(served).toBeGreaterThan(20);
    expect(seen.size).toBeGreaterThan(1);
  });
});
