/**
 * Checks of one document beyond its zod schema: `url` presence and safety, channel `apiUrl`
 * form, timeout ranges (streaming deadlines within `timeout`), signing secret form, and a bot's integration list (duplicates, at least
 * one entry with weight > 0). They read the env-resolved value defensively, so they also run
 * (and report) when the schema check failed elsewhere in the document.
 */
import { TIMEOUT_DEFAULT_MS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS, integrationTypes } from '../../schema/config.js';
import { checkTargetUrl } from '../net/private-network.js';
import { checkControls } from './control-checks.js';
import { durationToMs } from './duration.js';
import type { PathSegment } from './parse-file.js';
import { describeValue, type PathProblem } from './zod-issues.js';

/** A problem that also names the line of a related node (`(first at line N)`). */
export interface CheckProblem extends PathProblem {
  firstPath?: PathSegment[];
}

export interface CheckContext {
  allowPrivateNetwork: boolean;
  /** True when the string at `path` has env references that could not be resolved. */
  unresolved: (path: readonly PathSegment[]) => boolean;
}

const WHSEC = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** True for a Standard Webhooks secret: `whsec_` + base64 of at least one byte. */
export function isSigningSecret(s: string): boolean {
  if (!WHSEC.test(s)) return false;
  const b64 = s.slice(6).replace(/=+$/, '');
  return b64.length % 4 !== 1;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Judges a webhook URL (rules `invalid-url`, `url-credentials`, `insecure-url`,
 * `private-network`) with the shared private-network rule; null when allowed.
 */
export function webhookUrlProblem(raw: string, allowPrivateNetwork: boolean): Pick<PathProblem, 'rule' | 'message'> | null {
  // Many integrations share a few provider URLs; URL parsing is the costliest check per document.
  const key = `${allowPrivateNetwork ? 1 : 0}${raw}`;
  const cached = verdicts.get(key);
  if (cached !== undefined) return cached;
  const verdict = judgeWebhookUrl(raw, allowPrivateNetwork);
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(key, verdict);
  return verdict;
}

const MAX_VERDICTS = 4096;
const verdicts = new Map<string, Pick<PathProblem, 'rule' | 'message'> | null>();

function judgeWebhookUrl(raw: string, allowPrivateNetwork: boolean): Pick<PathProblem, 'rule' | 'message'> | null {
  const reason = checkTargetUrl(raw, allowPrivateNetwork);
  if (!reason) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { rule: 'invalid-url', message: `url ${describeValue(raw)} is not a valid absolute URL` };
  }
  if (url.username || url.password) return { rule: 'url-credentials', message: `url: ${reason}` };
  if (url.protocol === 'http:') return { rule: 'insecure-url', message: `url: ${reason}` };
  if (url.protocol !== 'https:') return { rule: 'invalid-url', message: `url: ${reason}` };
  return { rule: 'private-network', message: `url: ${reason}` };
}

/** Checks of an `Integration` document. */
export function checkIntegration(doc: Obj, ctx: CheckContext): CheckProblem[] {
  const out: CheckProblem[] = [];
  const type = doc.type ?? 'custom';
  if (doc.url === undefined && type !== 'echo' && (integrationTypes as readonly unknown[]).includes(type)) {
    out.push({ path: ['url'], anchor: 'map', rule: 'missing-url', message: `missing key "url": required for type ${String(type)} (only echo needs none)` });
  }
  if (typeof doc.url === 'string' && !ctx.unresolved(['url'])) {
    const p = webhookUrlProblem(doc.url, ctx.allowPrivateNetwork);
    if (p) out.push({ path: ['url'], anchor: 'value', ...p });
  }
  out.push(...checkTimeouts(doc, ctx));
  const secrets = doc.signingSecret;
  const one = (s: unknown, path: PathSegment[]): void => {
    if (typeof s === 'string' && !ctx.unresolved(path) && !isSigningSecret(s)) {
      out.push({ path, anchor: 'value', rule: 'signing-secret', message: 'signingSecret must be "whsec_" followed by base64 (a Standard Webhooks secret)' });
    }
  };
  if (Array.isArray(secrets)) secrets.forEach((s, i) => {
    one(s, ['signingSecret', i]);
  });
  else one(secrets, ['signingSecret']);
  return out;
}

const STREAM_DEADLINES = ['firstTokenTimeout', 'idleTimeout'] as const;

/**
 * Rule `timeout-range`: `timeout`, `firstTokenTimeout` and `idleTimeout` each within
 * 100ms..5m; a streaming deadline longer than the attempt's `timeout` (default 30s) could
 * never fire, so it is an error too rather than a silent no-op.
 */
function checkTimeouts(doc: Obj, ctx: CheckContext): CheckProblem[] {
  const out: CheckProblem[] = [];
  const inRange = (key: 'timeout' | (typeof STREAM_DEADLINES)[number]): number | null => {
    if (doc[key] === undefined || ctx.unresolved([key])) return null;
    const ms = durationToMs(doc[key]);
    if (ms === null) return null;
    if (ms < TIMEOUT_MIN_MS || ms > TIMEOUT_MAX_MS) {
      out.push({ path: [key], anchor: 'value', rule: 'timeout-range', message: `${key} ${describeValue(doc[key])} is outside 100ms..5m (a bare number is seconds)` });
      return null;
    }
    return ms;
  };
  const timeout = doc.timeout === undefined ? TIMEOUT_DEFAULT_MS : inRange('timeout');
  for (const key of STREAM_DEADLINES) {
    const ms = inRange(key);
    if (ms !== null && timeout !== null && ms > timeout) {
      const limit = doc.timeout === undefined ? 'the default timeout of 30s' : `timeout ${describeValue(doc.timeout)}`;
      out.push({
        path: [key],
        anchor: 'value',
        rule: 'timeout-range',
        message: `${key} ${describeValue(doc[key])} is longer than ${limit}, which bounds the whole attempt, so it could never fire; lower it or raise timeout`,
      });
    }
  }
  return out;
}

function apiUrlProblem(channel: unknown, name: string, ctx: CheckContext): CheckProblem | null {
  if (!isObj(channel) || typeof channel.apiUrl !== 'string') return null;
  const path = ['channels', name, 'apiUrl'];
  if (ctx.unresolved(path)) return null;
  let ok = false;
  try {
    const url = new URL(channel.apiUrl);
    ok = url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    ok = false;
  }
  return ok ? null : { path, anchor: 'value', rule: 'invalid-url', message: `channels.${name}.apiUrl ${describeValue(channel.apiUrl)} is not a valid http(s) URL` };
}

/** Checks of a `Bot` document. */
export function checkBot(doc: Obj, ctx: CheckContext): CheckProblem[] {
  const out: CheckProblem[] = checkControls(doc, ctx);
  if (isObj(doc.channels)) {
    for (const name of ['telegram', 'slack']) {
      const p = apiUrlProblem(doc.channels[name], name, ctx);
      if (p) out.push(p);
    }
  }
  const entries = doc.integrations;
  if (!Array.isArray(entries) || entries.length === 0) return out;
  const seen = new Map<string, number>();
  let weightsKnown = true;
  let active = false;
  entries.forEach((entry, i) => {
    if (!isObj(entry)) {
      weightsKnown = false;
      return;
    }
    const w = entry.weight ?? 1;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0) weightsKnown = false;
    else if (w > 0) active = true;
    if (typeof entry.name !== 'string' || ctx.unresolved(['integrations', i, 'name'])) return;
    const first = seen.get(entry.name);
    if (first === undefined) {
      seen.set(entry.name, i);
      return;
    }
    out.push({
      path: ['integrations', i, 'name'],
      anchor: 'value',
      rule: 'duplicate-integration-entry',
      message: `integration "${entry.name}" is listed twice in this bot`,
      firstPath: ['integrations', first, 'name'],
    });
  });
  if (weightsKnown && !active) {
    out.push({
      path: ['integrations'],
      anchor: 'value',
      rule: 'no-active-integration',
      message: 'no integration entry has weight > 0, so no message could be routed (weight 0 entries serve only as fallbacks)',
    });
  }
  return out;
}
