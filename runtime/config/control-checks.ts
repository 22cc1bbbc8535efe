/**
 * Checks of a bot's conversation controls beyond the zod schema: `rateLimit.per` and
 * `historyTtl` ranges, command names (lowercase, starting with `/`) and that every command
 * does something (a `reply`, an `action`, or both). Read defensively like the other document
 * checks, so they report even when the schema check failed elsewhere.
 */
import {
  COMMAND_PATTERN,
  HISTORY_TTL_MAX_MS,
  HISTORY_TTL_MIN_MS,
  RATE_LIMIT_PER_MAX_MS,
  RATE_LIMIT_PER_MIN_MS,
} from '../../schema/config.js';
import type { CheckContext, CheckProblem } from './document-checks.js';
import { durationToMs } from './duration.js';
import type { PathSegment } from './parse-file.js';
import { describeValue } from './zod-issues.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const commandPattern = new RegExp(COMMAND_PATTERN);

function rangeProblem(value: unknown, path: PathSegment[], min: number, max: number, range: string, ctx: CheckContext): CheckProblem | null {
  if (value === undefined || ctx.unresolved(path)) return null;
  const ms = durationToMs(value, 'long');
  if (ms === null || (ms >= min && ms <= max)) return null;
  return { path, anchor: 'value', rule: 'invalid-value', message: `${path.join('.')} ${describeValue(value)} is outside ${range} (a bare number is seconds)` };
}

/** Why a command key is not valid, or null when it is. */
export function commandNameProblem(name: string): string | null {
  if (!name.startsWith('/')) return `must start with "/" (write "/${name}")`;
  if (name !== name.toLowerCase()) return `must be lowercase (write "${name.toLowerCase()}")`;
  if (name.includes('@')) return 'must not contain "@" (Telegram\'s "/cmd@botusername" is matched automatically)';
  if (!commandPattern.test(name)) return 'must be "/" followed by 1 to 32 lowercase letters, digits, "_" or "-", starting with a letter or digit';
  return null;
}

function commandProblems(commands: unknown, ctx: CheckContext): CheckProblem[] {
  if (!isObj(commands)) return [];
  const out: CheckProblem[] = [];
  for (const [name, rule] of Object.entries(commands)) {
    const why = commandNameProblem(name);
    if (why) out.push({ path: ['commands', name], anchor: 'key', rule: 'invalid-value', message: `command ${describeValue(name)} ${why}` });
    if (isObj(rule) && rule.reply === undefined && rule.action === undefined && !ctx.unresolved(['commands', name])) {
      out.push({ path: ['commands', name], anchor: 'value', rule: 'missing-key', message: `command ${describeValue(name)} needs "reply", "action" (reset) or both` });
    }
  }
  return out;
}

/** Checks of a `Bot` document's `rateLimit`, `commands` and `historyTtl`. */
export function checkControls(doc: Obj, ctx: CheckContext): CheckProblem[] {
  const out: CheckProblem[] = [];
  if (isObj(doc.rateLimit)) {
    const p = rangeProblem(doc.rateLimit.per, ['rateLimit', 'per'], RATE_LIMIT_PER_MIN_MS, RATE_LIMIT_PER_MAX_MS, '1s..31d', ctx);
    if (p) out.push(p);
  }
  const ttl = rangeProblem(doc.historyTtl, ['historyTtl'], HISTORY_TTL_MIN_MS, HISTORY_TTL_MAX_MS, '1m..365d', ctx);
  if (ttl) out.push(ttl);
  out.push(...commandProblems(doc.commands, ctx));
  return out;
}
