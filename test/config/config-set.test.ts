/**
 * The shipped config set: integrations/ (the demo) and examples/config/ must validate with no
 * problems (private network not allowed, env not required), and every YAML file points editors
 * at the JSON Schema with a correct relative path.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConfigLoader } from '../../runtime/config/loader.js';
import { validateDirs } from '../../runtime/config/validate.js';

const root = join(import.meta.dirname, '..', '..');
const yamlFiles = (dir: string): string[] => readdirSync(join(root, dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`);

describe('shipped config set', () => {
  it('integrations/ and examples/config/ validate with zero problems', async () => {
    expect(await validateDirs(['integrations', 'examples/config'], { cwd: root, env: {}, requireEnv: false, allowPrivateNetwork: false })).toEqual([]);
  });

  it('every file of examples/config/ validates on its own (copy one file, get a whole working set)', async () => {
    for (const file of yamlFiles('examples/config')) {
      const dir = mkdtempSync(join(tmpdir(), 'swb-example-'));
      try {
        copyFileSync(join(root, file), join(dir, 'config.yaml'));
        expect(await validateDirs([dir], { env: {}, requireEnv: false, allowPrivateNetwork: false }), file).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('has the expected example files', () => {
    expect(yamlFiles('examples/config').sort()).toEqual(
      ['ab-test', 'anthropic', 'custom-webhook', 'openai', 'slack', 'telegram'].map((n) => `examples/config/${n}.yaml`),
    );
  });

  it('every YAML starts with a yaml-language-server $schema line that resolves', () => {
    for (const file of [...yamlFiles('integrations'), ...yamlFiles('examples/config')]) {
      const first = readFileSync(join(root, file), 'utf8').split('\n')[0] ?? '';
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, file).not.toBeNull();
      expect(m?.[1]?.endsWith('integrations.schema.json'), file).toBe(true);
      expect(existsSync(join(root, dirname(file), m?.[1] ?? '')), file).toBe(true);
    }
  });

  it('the demo loads with no env: an echo bot on the HTTP channel without a token', async () => {
    const r = await createConfigLoader().load('integrations', { cwd: root, env: {} });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.snapshot.bots.get('demo')).toMatchObject({ channels: { http: {} }, integrations: [{ name: 'echo', weight: 1, fallback: false }] });
    expect(r.snapshot.integrations.get('echo')?.type).toBe('echo');
  });

  it('the A/B example splits 90/10 with a weight-0 fallback and a fallbackMessage', async () => {
    const env = Object.fromEntries(
      ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'MY_BACKEND_TOKEN', 'BACKEND_BOT_HTTP_TOKEN', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'].map((k) => [k, `${k.toLowerCase()}-value`]),
    );
    const r = await createConfigLoader().load('examples/config', { cwd: root, env: { ...env, MY_BACKEND_SIGNING_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.snapshot.bots.get('support')?.integrations).toEqual([
      { name: 'support-gpt', weight: 90, fallback: false },
      { name: 'support-claude', weight: 10, fallback: false },
      { name: 'support-echo', weight: 0, fallback: true },
    ]);
    expect(r.snapshot.bots.get('support')?.fallbackMessage).toBe("Sorry, I can't answer right now. Please try again in a minute.");
    expect(r.snapshot.integrations.get('my-backend')?.signingSecrets).toEqual(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']);
  });
});
