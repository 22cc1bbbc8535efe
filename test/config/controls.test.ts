/**
 * The conversation-control keys of a Bot (`rateLimit`, `commands`, `historyTtl`, `format`):
 * defaults, resolution into the snapshot, and located problems for bad values.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfigLoader } from '../../runtime/config/loader.js';
import { commandNameProblem } from '../../runtime/config/control-checks.js';
import { durationToMs } from '../../runtime/config/duration.js';
import { DEFAULT_RATE_LIMIT_MESSAGE } from '../../runtime/config/snapshot.js';
import { makeTempDir, removeDir } from '../helpers/config-tree.js';

const head = `apiVersion: switchboard/v1
kind: Integration
name: echo
type: echo
---
apiVersion: switchboard/v1
kind: Bot
name: support
channels: { http: {} }
integrations: [{ name: echo }]
`;

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

async function load(extra: string) {
  await writeFile(path.join(dir, 'bot.yaml'), head + extra);
  return createConfigLoader().load(dir, { env: {} });
}

/** `line:column rule message` of each problem, for compact assertions. */
async function problems(extra: string): Promise<string[]> {
  const r = await load(extra);
  expect(r.ok).toBe(false);
  return r.problems.map((p) => `${p.line}:${p.column} ${p.rule} ${p.message}`);
}

describe('bot conversation controls', () => {
  it('defaults: no rate limit, no commands, 7d history, markdown', async () => {
    const r = await load('');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const bot = r.snapshot.bots.get('support');
    expect(bot?.rateLimit).toBeUndefined();
    expect(bot?.commands.size).toBe(0);
    expect(bot?.historyTtlMs).toBe(7 * 86_400_000);
    expect(bot?.format).toBe('markdown');
  });

  it('resolves every key', async () => {
    const r = await load(`rateLimit: { messages: 3, per: 1m }
commands:
  /reset: { action: reset, reply: "Fresh start." }
  /help: { reply: "Ask me anything." }
historyTtl: 12h
format: plain
`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const bot = r.snapshot.bots.get('support');
    expect(bot?.rateLimit).toEqual({ messages: 3, perMs: 60_000, message: DEFAULT_RATE_LIMIT_MESSAGE });
    expect(Object.fromEntries(bot?.commands ?? [])).toEqual({ '/help': { reply: 'Ask me anything.' }, '/reset': { action: 'reset', reply: 'Fresh start.' } });
    expect(bot?.historyTtlMs).toBe(12 * 3_600_000);
    expect(bot?.format).toBe('plain');
  });

  it('a bare number is seconds; a custom notice is kept', async () => {
    const r = await load('rateLimit: { messages: 10, per: 90, message: "Slow down" }\nhistoryTtl: 3600\n');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.snapshot.bots.get('support')?.rateLimit).toEqual({ messages: 10, perMs: 90_000, message: 'Slow down' });
    expect(r.snapshot.bots.get('support')?.historyTtlMs).toBe(3_600_000);
  });

  it('locates out-of-range durations and counts', async () => {
    expect(await problems('rateLimit: { messages: 0, per: 500ms }\nhistoryTtl: 30s\n')).toEqual([
      '11:24 invalid-value rateLimit.messages must be >= 1, got 0',
      '11:32 invalid-value rateLimit.per "500ms" is outside 1s..31d (a bare number is seconds)',
      '12:13 invalid-value historyTtl "30s" is outside 1m..365d (a bare number is seconds)',
    ]);
    expect(await problems('historyTtl: 366d\n')).toEqual(['11:13 invalid-value historyTtl "366d" is outside 1m..365d (a bare number is seconds)']);
  });

  it('rejects a duration in the wrong grammar, naming the units', async () => {
    const out = await problems('historyTtl: 7 days\n');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^11:13 invalid-value historyTtl must be a number of seconds or a duration such as "30s", "10m", "1h", "7d"/);
  });

  it('locates bad command names at the key and empty commands at the value', async () => {
    expect(
      await problems(`commands:
  reset: { action: reset }
  /Start: { reply: hi }
  /help: {}
`),
    ).toEqual([
      '12:3 invalid-value command "reset" must start with "/" (write "/reset")',
      '13:3 invalid-value command "/Start" must be lowercase (write "/start")',
      '14:10 missing-key command "/help" needs "reply", "action" (reset) or both',
    ]);
  });

  it('rejects an unknown action and an unknown format', async () => {
    const out = await problems('commands: { /x: { action: wipe } }\nformat: html\n');
    expect(out.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['11:27 invalid-value commands./x.action', '12:9 invalid-value format']);
  });

  it('keeps timeout to its own grammar and range', async () => {
    await writeFile(path.join(dir, 'bot.yaml'), head.replace('type: echo', 'type: echo\ntimeout: 1h'));
    const r = await createConfigLoader().load(dir, { env: {} });
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.rule)).toEqual(['invalid-value']);
  });
});

describe('command names', () => {
  it.each([
    ['/start', null],
    ['/reset_all', null],
    ['/reset-all', null],
    ['/1up', null],
    ['/', 'must be "/" followed by'],
    ['/-x', 'must be "/" followed by'],
    ['/a b', 'must be "/" followed by'],
    ['/start@mybot', 'must not contain "@"'],
    [`/${'a'.repeat(33)}`, 'must be "/" followed by'],
  ])('%s', (name, want) => {
    const got = commandNameProblem(name);
    if (want === null) expect(got).toBeNull();
    else expect(got).toContain(want);
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 'short', 500],
    ['2m', 'short', 120_000],
    ['1h', 'short', null],
    ['1h', 'long', 3_600_000],
    ['7d', 'long', 604_800_000],
    ['1.5d', 'long', 129_600_000],
    [30, 'long', 30_000],
    ['7 d', 'long', null],
    [-1, 'long', null],
  ] as const)('%s (%s) → %s', (value, units, ms) => {
    expect(durationToMs(value, units)).toBe(ms);
  });
});
