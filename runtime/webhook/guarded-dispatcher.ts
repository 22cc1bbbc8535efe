/**
 * The private-network rule at connect time. `validate` judges literal
 * hosts; the runtime must judge the address it actually connects to, so DNS cannot smuggle
 * a loopback or private address in. This module gives undici a `connect.lookup` that
 * resolves the name itself and refuses when any resolved address is blocked.
 *
 * IP-literal hosts never reach `lookup` (Node skips it), so callers check literals with
 * `checkTargetUrl` before dispatching (see `preflightUrl`).
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { Agent, type Dispatcher } from 'undici';
import { checkTargetUrl, isBlockedAddress } from '../net/private-network.js';

/** Resolves a host name to all its addresses (the shape of `dns.lookup(name, {all: true})`). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** Error code set on connect-time refusals; the webhook client classifies it as `blocked`. */
export const BLOCKED_ADDRESS_CODE = 'SWB_BLOCKED_ADDRESS';

/** Raised from `connect.lookup` when a name resolves to a blocked address. */
export class BlockedAddressError extends Error {
  readonly code = BLOCKED_ADDRESS_CODE;
  readonly address: string;
  constructor(hostname: string, address: string) {
    super(`"${hostname}" resolves to ${address}, a private, loopback or link-local address; allowed only with --allow-private-network`);
    this.name = 'BlockedAddressError';
    this.address = address;
  }
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `net.connect` `lookup` function that resolves with `resolve` and fails with
 * `BlockedAddressError` when ANY address of the name is blocked (refusing the whole name
 * rather than filtering, so a name that mixes public and private records — a rebinding
 * setup — is refused outright). Handles both call forms: Node 20's `{all: true}` (with
 * autoSelectFamily) and the single-address form.
 */
export function guardedLookup(resolve: Resolver = systemResolver, isBlocked: (address: string) => boolean = isBlockedAddress) {
  return function lookup(hostname: string, options: LookupOneOptions | LookupAllOptions | number, callback: LookupCallback): void {
    const opts = typeof options === 'number' ? { family: options } : options ?? {};
    resolve(hostname).then(
      (all) => {
        const family = opts.family === 4 || opts.family === 6 ? opts.family : undefined;
        const addresses = family ? all.filter((a) => a.family === family) : all;
        const blocked = all.find((a) => isBlocked(a.address));
        if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), opts.all ? [] : '', undefined);
        if (addresses.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, opts.all ? [] : '', undefined);
        }
        if (opts.all) return callback(null, addresses);
        const first = addresses[0] as LookupAddress;
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, opts.all ? [] : '', undefined),
    );
  };
}

export interface GuardedAgentOptions {
  allowPrivateNetwork: boolean;
  /** DNS resolver override (tests inject one to map a public-looking name to 127.0.0.1). */
  resolve?: Resolver;
  /** Address predicate override (tests only: proves the lookup's success path end to end on loopback). */
  isBlocked?: (address: string) => boolean;
  /** undici connect timeout (the attempt deadline still applies on top). Default 10 s. */
  connectTimeoutMs?: number;
}

/**
 * A new undici Agent enforcing the private-network rule at connect time (no guard when
 * `allowPrivateNetwork`). Prefer the shared `guardedDispatcher()`; create one only to
 * inject a resolver.
 */
export function createGuardedAgent(options: GuardedAgentOptions): Agent {
  const connect: Agent.Options['connect'] = { timeout: options.connectTimeoutMs ?? 10_000 };
  if (!options.allowPrivateNetwork) Object.assign(connect, { lookup: guardedLookup(options.resolve, options.isBlocked) });
  // No undici headers/body timeouts: every attempt has its own deadline (webhook/deadline.ts)
  // covering both, and undici's timers for them are objects that outlive a request by up to
  // a second — promoted by the young-generation GC on every request, then old garbage.
  return new Agent({ connect, keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0 });
}

const shared = new Map<boolean, Agent>();

/**
 * The process-wide dispatcher for calls to URLs from config, users or webhooks (webhook
 * calls, file downloads): keep-alive pooled, guarded unless `allowPrivateNetwork`. Pair it
 * with `preflightUrl` for IP-literal hosts and the https-only rule.
 */
export function guardedDispatcher(allowPrivateNetwork: boolean): Dispatcher {
  let agent = shared.get(allowPrivateNetwork);
  if (!agent) {
    agent = createGuardedAgent({ allowPrivateNetwork });
    shared.set(allowPrivateNetwork, agent);
  }
  return agent;
}

/**
 * The checks a connect-time lookup cannot make: scheme (https only unless
 * `allowPrivateNetwork`), credentials in the URL, `localhost`-style names and IP literals
 * in any inet_aton form. Null when the URL may be dispatched, else a secret-free reason.
 */
export function preflightUrl(url: string, allowPrivateNetwork: boolean): string | null {
  const reason = checkTargetUrl(url, allowPrivateNetwork);
  if (reason === null) return null;
  // checkTargetUrl quotes the raw URL only when it does not parse; keep query strings out.
  return reason.startsWith('"') && reason.endsWith('is not a valid absolute URL') ? 'the URL is not a valid absolute URL' : reason;
}
