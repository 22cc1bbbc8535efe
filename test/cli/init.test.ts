/**
 * `switchboard init`: an empty directory gets a repository that validates as it is (also with
 * --strict and its own .env.example); a non-empty one is never overwritten without --force; the
 * workflow parses as YAML and has the steps a PR needs.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VERSION } from '../../runtime/core/version.js';
import { runInProcess } from '../helpers/git-repo.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = (): string => (dir = mkdtempSync(join(tmpdir(), 'swb-init-')));

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

describe('switchboard init', () => {
  it('scaffolds an empty directory that validates as it is, with --strict and --env-file .env.example', async () => {
    fresh();
    const r = await runInProcess(['init'], dir);
    expect(r.code).toBe(0);
    for (const f of ['integrations/demo.yaml', 'integrations.schema.json', '.env.example', '.github/workflows/switchboard.yml']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
      expect(r.stdout).toContain(`created ${f}`);
    }
    expect(readFileSync(join(dir, 'integrations.schema.json'), 'utf8')).toBe(readFileSync(join(import.meta.dirname, '..', '..', 'integrations.schema.json'), 'utf8'));
    const v = await runInProcess(['validate', 'integrations', '--strict', '--env-file', '.env.example'], dir);
    expect(v).toMatchObject({ code: 0, stdout: 'valid: 1 file, 2 documents, no problems\n' });
  });

  it('into a named directory, which it creates', async () => {
    fresh();
    const r = await runInProcess(['init', 'repo/config'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created repo/config/integrations/demo.yaml');
    expect((await runInProcess(['validate', 'repo/config/integrations', '--strict'], dir)).code).toBe(0);
  });

  it('never overwrites without --force: exit 1 naming the files, nothing written; --force overwrites', async () => {
    fresh();
    mkdirSync(join(dir, 'integrations'));
    writeFileSync(join(dir, 'integrations/demo.yaml'), 'mine\n');
    writeFileSync(join(dir, '.env.example'), 'MINE=\n');
    const r = await runInProcess(['init', '.'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('  integrations/demo.yaml\n  .env.example\n');
    expect(r.stderr).not.toContain('integrations.schema.json');
    expect(readFileSync(join(dir, 'integrations/demo.yaml'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'integrations.schema.json'))).toBe(false);
    const forced = await runInProcess(['init', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('overwrote integrations/demo.yaml');
    expect(forced.stdout).toContain('created integrations.schema.json');
    expect(readFileSync(join(dir, 'integrations/demo.yaml'), 'utf8')).toContain('kind: Bot');
  });

  it('usage errors exit 2', async () => {
    fresh();
    expect((await runInProcess(['init', 'a', 'b'], dir)).code).toBe(2);
    expect((await runInProcess(['init', '--bogus'], dir)).code).toBe(2);
  });

  it('the workflow: validate with annotations on every PR, one comment created or updated with the markdown diff', async () => {
    fresh();
    await runInProcess(['init'], dir);
    const wf = parse(readFileSync(join(dir, '.github/workflows/switchboard.yml'), 'utf8')) as {
      on: { pull_request: { paths: string[] } };
      permissions: Record<string, string>;
      jobs: Record<string, { steps: Step[] }>;
    };
    expect(wf.on.pull_request.paths).toContain('integrations/**');
    expect(wf.permissions['pull-requests']).toBe('write');
    const steps = Object.values(wf.jobs)[0]!.steps;
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0); // diff reads origin/<base>
    const sb = `npx --yes switchboard@${VERSION}`;
    const validate = steps.find((s) => s.run?.includes(' validate '));
    expect(validate?.run).toBe(`${sb} validate integrations --format github --strict --env-file .env.example`);
    const diff = steps.find((s) => s.run?.includes(' diff '));
    expect(diff?.run).toContain(`${sb} diff "origin/\${{ github.base_ref }}" HEAD --path integrations --format markdown > switchboard-diff.md`);
    expect(diff?.if).toBe('always()');
    const comment = steps.find((s) => s.uses?.startsWith('actions/github-script@'));
    expect(steps.indexOf(comment!)).toBeGreaterThan(steps.indexOf(diff!));
    const script = String(comment?.with?.script);
    expect(script).toContain("const marker = '<!-- switchboard-diff -->'");
    expect(script).toContain('github.rest.issues.updateComment');
    expect(script).toContain('github.rest.issues.createComment');
    expect(script.indexOf('if (mine)')).toBeLessThan(script.indexOf('createComment'));
    // The script is valid JavaScript (as an async function body, as github-script runs it).
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => unknown;
    expect(() => new AsyncFunction('require', 'github', 'context', script)).not.toThrow();
  });

  it('the comment script creates one comment, then updates it on later pushes (run against a fake GitHub API)', async () => {
    fresh();
    await runInProcess(['init'], dir);
    const wf = parse(readFileSync(join(dir, '.github/workflows/switchboard.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
    const script = String(Object.values(wf.jobs)[0]!.steps.find((s) => s.uses?.startsWith('actions/github-script@'))?.with?.script);
    const comments: Array<{ id: number; body: string; user: { type: string } }> = [{ id: 1, body: 'a human comment', user: { type: 'User' } }];
    const github = {
      paginate: async (fn: (a: unknown) => Promise<{ data: unknown[] }>, args: unknown) => (await fn(args)).data,
      rest: {
        issues: {
          listComments: async () => ({ data: comments.map((c) => ({ ...c })) }),
          createComment: async ({ body }: { body: string }) => void comments.push({ id: comments.length + 1, body, user: { type: 'Bot' } }),
          updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
            const c = comments.find((x) => x.id === comment_id);
            if (c) c.body = body;
          },
        },
      },
    };
    const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 } };
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
    const runScript = new AsyncFunction('require', 'github', 'context', script);
    const md = join(dir, 'switchboard-diff.md');
    const fsRequire = (m: string): unknown => (m === 'fs' ? { existsSync: (p: string) => existsSync(join(dir, p)), readFileSync: (p: string, e: BufferEncoding) => readFileSync(join(dir, p), e) } : undefined);
    writeFileSync(md, '<!-- switchboard-diff -->\nfirst push\n');
    await runScript(fsRequire, github, context);
    expect(comments).toHaveLength(2);
    writeFileSync(md, '<!-- switchboard-diff -->\nsecond push\n');
    await runScript(fsRequire, github, context);
    expect(comments.map((c) => c.body)).toEqual(['a human comment', '<!-- switchboard-diff -->\nsecond push\n']);
  });
});
