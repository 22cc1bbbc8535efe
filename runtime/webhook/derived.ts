/**
 * Everything the webhook client derives from one ResolvedIntegration (header object,
 * decoded signing keys, URL verdicts, redaction list), computed once per integration
 * object and cached in a WeakMap, so a new config snapshot gets fresh values and the old
 * ones are collected with it.
 */
import { maskSecrets } from '../core/redact.js';
import type { ResolvedIntegration } from '../config/snapshot.js';
import { getProvider } from '../providers/index.js';
import type { Provider } from '../providers/provider.js';
import { preflightUrl } from './guarded-dispatcher.js';
import { decodeSigningSecret } from './signing.js';
import { USER_AGENT } from './user-agent.js';

/** Header names the client sets itself; configured headers cannot override them. */
const RESERVED = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'host',
  'x-bot-id',
  'x-integration-id',
  'x-request-id',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

export interface DerivedIntegration {
  provider: Provider;
  url: string;
  /** A problem that makes every attempt fail before dispatch (no URL, bad signing secret). */
  configError?: string;
  /** Content-Type, User-Agent, X-Integration-ID and the configured headers (configured may replace User-Agent). */
  fixedHeaders: Readonly<Record<string, string>>;
  /** Lower-case names of configured headers (they win over provider headers). */
  configuredNames: ReadonlySet<string>;
  signingKeys: readonly Buffer[];
  /** Values to scrub from any message: configured header values (and their credentials after a scheme) and signing secrets. */
  secretValues: readonly string[];
  /** The URL split the way undici's `dispatcher.request` takes it (parsed once, not per message); undefined when it does not parse. */
  target: { origin: string; path: string } | undefined;
  /** URL verdict per allowPrivateNetwork (null = allowed), computed on first use. */
  preflight(allowPrivateNetwork: boolean): string | null;
}

const cache = new WeakMap<ResolvedIntegration, DerivedIntegration>();

function build(integration: ResolvedIntegration): DerivedIntegration {
  const provider = getProvider(integration.type);
  let configError: string | undefined;
  if (provider.answerLocally === undefined && !integration.url) configError = `integration "${integration.name}" has no url`;

  const fixedHeaders: Record<string, string> = { 'User-Agent': USER_AGENT };
  const configuredNames = new Set<string>();
  const secretValues: string[] = [];
  for (const [name, value] of Object.entries(integration.headers)) {
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) continue;
    if (lower === 'user-agent') delete fixedHeaders['User-Agent'];
    fixedHeaders[name] = value;
    configuredNames.add(lower);
    if (value.trim() !== '') secretValues.push(value.trim());
    const credential = /^\s*(?:bearer|basic|token)\s+(\S.*)$/i.exec(value)?.[1]?.trim();
    if (credential) secretValues.push(credential);
  }
  fixedHeaders['Content-Type'] = 'application/json';
  fixedHeaders['X-Integration-ID'] = integration.name;

  const signingKeys: Buffer[] = [];
  for (const secret of integration.signingSecrets) {
    secretValues.push(secret);
    try {
      signingKeys.push(decodeSigningSecret(secret));
    } catch (err) {
      configError ??= `integration "${integration.name}": ${(err as Error).message}`;
    }
  }
  // Longest first, so a value containing another is scrubbed whole.
  secretValues.sort((a, b) => b.length - a.length);

  const verdicts = new Map<boolean, string | null>();
  const url = integration.url ?? '';
  let target: DerivedIntegration['target'];
  try {
    const u = new URL(url);
    target = { origin: u.origin, path: `${u.pathname}${u.search}` };
  } catch {
    target = undefined;
  }
  return {
    target,
    provider,
    url,
    configError,
    fixedHeaders,
    configuredNames,
    signingKeys,
    secretValues,
    preflight(allowPrivateNetwork) {
      let verdict = verdicts.get(allowPrivateNetwork);
      if (verdict === undefined) {
        verdict = preflightUrl(url, allowPrivateNetwork);
        verdicts.set(allowPrivateNetwork, verdict);
      }
      return verdict;
    },
  };
}

/** The derived data of `integration`, built on first use and cached per object. */
export function derive(integration: ResolvedIntegration): DerivedIntegration {
  let derived = cache.get(integration);
  if (!derived) {
    derived = build(integration);
    cache.set(integration, derived);
  }
  return derived;
}

/** Replaces every occurrence of a secret value in `text` with `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  return maskSecrets(text, secrets, '[redacted]');
}
