/**
 * `switchboard diff --stats URL` against a runtime started by the test with users assigned:
 * assigned counts come from the runtime's own GET /bots/:bot/stats, moving counts are the users
 * on an integration going to weight 0; unreachable runtime and wrong token exit 1 clearly, and
 * the admin token is never printed.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDir, runtimeFor } from '../e2e/helpers.js';
import type { Runtime } from '../../runtime/runtime.js';
import { bot, docs, echo } from '../diff/fixtures.js';
import { runInProcess, tempRepo, type TempRepo } from '../helpers/git-repo.js';

const TOKEN = 'admin-token-never-printed-7c1e';
const before = docs(echo('echo-a'), echo('echo-b'), echo('echo-c'), bot('support', [['echo-a', 2], ['echo-b', 1], ['echo-c', 1]]));
const after = docs(echo('echo-a'), echo('echo-b'), bot('support', [['echo-a', 0, true], ['echo-b', 1]]));

let repo: TempRepo;
let runtime: Runtime;
let cfg: Awaited<ReturnType<typeof configDir>>;
let base: string;
let assignments: Map<string, number>;

beforeAll(async () => {
  repo = tempRepo();
  base = repo.commit({ 'integrations/support.yaml': before });
  repo.commit({ 'integrations/support.yaml': after });
  cfg = await configDir({ 'support.yaml': before });
  runtime = await runtimeFor(cfg.dir, { SWITCHBOARD_ADMIN_TOKEN: TOKEN }, { listen: true, port: 0, host: '127.0.0.1' });
  for (let i = 0; i < 40; i++) {
    const res = await fetch(`${runtime.url}/channels/http/support`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: `user-${i}` }, text: 'hi' }),
    });
    expect(res.status).toBe(200);
  }
  const stats = (await (await fetch(`${runtime.url}/bots/support/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
    integrations: Array<{ name: string; assignments: number }>;
  };
  assignments = new Map(stats.integrations.map((i) => [i.name, i.assignments]));
}, 60_000);
afterAll(async () => {
  await runtime?.close();
  await cfg?.remove();
  repo?.remove();
});

describe('switchboard diff --stats', () => {
  it('adds users assigned now and how many will move', async () => {
    const total = [...assignments.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(40);
    const r = await runInProcess(['diff', base, 'HEAD', '--format', 'json', '--stats', runtime.url as string], repo.dir, { SWITCHBOARD_ADMIN_TOKEN: TOKEN });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const a = assignments.get('echo-a') ?? 0;
    const b = assignments.get('echo-b') ?? 0;
    const c = assignments.get('echo-c') ?? 0;
    // The sticky hash is deterministic: 40 users put some on each arm, so moving counts are not vacuous.
    expect(a).toBeGreaterThan(0);
    expect(c).toBeGreaterThan(0);
    expect(JSON.parse(r.stdout).traffic).toEqual([
      {
        bot: 'support',
        integrations: [
          { name: 'echo-a', weightBefore: 2, weightAfter: 0, shareBefore: 0.5, shareAfter: 0, assigned: a, moving: a },
          { name: 'echo-b', weightBefore: 1, weightAfter: 1, shareBefore: 0.25, shareAfter: 1, assigned: b, moving: 0 },
          { name: 'echo-c', weightBefore: 1, weightAfter: null, shareBefore: 0.25, shareAfter: null, assigned: c, moving: c },
        ],
      },
    ]);
    const md = await runInProcess(['diff', base, 'HEAD', '--format', 'markdown', '--stats', runtime.url as string], repo.dir, { SWITCHBOARD_ADMIN_TOKEN: TOKEN });
    expect(md.stdout).toContain('| integration | weight | share of new users | users assigned now |');
    expect(md.stdout).toContain(`| \`echo-a\` | 2 → 0 | 50.0% → 0.0% | ${a}${a ? ` (${a} moving)` : ''} |`);
    expect(md.stdout).toContain(`echo-a goes to weight 0: ${a} assigned user${a === 1 ? '' : 's'} will be moved`);
    expect(md.stdout + md.stderr + r.stdout).not.toContain(TOKEN);
  });

  it('a wrong or missing token: exit 1 naming the problem, the token never printed', async () => {
    const wrong = await runInProcess(['diff', base, 'HEAD', '--stats', runtime.url as string], repo.dir, { SWITCHBOARD_ADMIN_TOKEN: 'wrong-token-value' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('refused the admin token (401)');
    expect(wrong.stderr + wrong.stdout).not.toContain('wrong-token-value');
    const none = await runInProcess(['diff', base, 'HEAD', '--stats', runtime.url as string], repo.dir, {});
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('set SWITCHBOARD_ADMIN_TOKEN');
  });

  it('an unreachable runtime: exit 1 naming the URL', async () => {
    // A port that was free a moment ago and is closed now.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const r = await runInProcess(['diff', base, 'HEAD', '--stats', `http://127.0.0.1:${port}`], repo.dir, { SWITCHBOARD_ADMIN_TOKEN: TOKEN });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the runtime at http://127.0.0.1:${port}/bots/support/stats: ECONNREFUSED`);
  });
});
