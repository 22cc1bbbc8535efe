/**
 * The private-network rule: webhook targets and user/webhook-supplied file URLs must be
 * public HTTPS unless `--allow-private-network`. One classifier serves `validate` and the
 * runtime: `checkTargetUrl` judges literal addresses and local names without DNS (validate,
 * and the runtime before dispatch, since undici skips lookup for IP literals), and
 * `isBlockedAddress` judges every address a name resolves to at connect time. IPv6 forms
 * that carry an IPv4 address (mapped, translated, compatible, NAT64, 6to4, Teredo) are
 * judged as that IPv4 address.
 */
import { BlockList, isIP } from 'node:net';
import { embeddedIPv4, ipv6Groups } from './ipv6.js';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved + broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48], // local-use NAT64: the embedding is site-specific
  ['100::', 64], // discard-only
  ['2001:10::', 28], // ORCHID
  ['2001:20::', 28], // ORCHIDv2
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
  ['5f00::', 16], // SRv6 SIDs
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed privately)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/**
 * Parses an IPv4 address in any of the forms `inet_aton` accepts (`2130706433`, `0x7f.1`,
 * `0177.0.0.1`, `127.1`) into dotted-quad form; null when `host` is not such a form.
 */
export function normalizeIPv4(host: string): string | null {
  const parts = host.split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === '')) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) n = parseInt(p, 10);
    else return null;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop() as number;
  if (nums.some((n) => n > 255)) return null;
  if (last >= 256 ** (4 - nums.length)) return null;
  let value = last;
  nums.forEach((n, i) => {
    value += n * 256 ** (3 - i);
  });
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** True when `address` (an IP literal as connected to) is loopback, private, link-local, etc. */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family !== 6) return false;
  if (blocked.check(bare, 'ipv6')) return true;
  const groups = ipv6Groups(bare);
  const inner = groups ? embeddedIPv4(groups) : null;
  return inner !== null && blocked.check(inner, 'ipv4');
}

/**
 * True for names that always mean this machine or its local network: `localhost` and
 * `*.localhost` (RFC 6761), `localhost.localdomain`, `.local` (mDNS) and `.internal`; a
 * trailing dot (the absolute form `localhost.`) changes nothing.
 */
export function isLocalHostName(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.+$/, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === 'localhost.localdomain' ||
    host.endsWith('.local') ||
    host.endsWith('.internal')
  );
}

/**
 * Judges a webhook or file URL without DNS. Returns null when allowed, else the reason.
 * With `allowPrivateNetwork`, `http:` and private/loopback hosts are allowed.
 */
export function checkTargetUrl(raw: string, allowPrivateNetwork: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a valid absolute URL`;
  }
  if (url.username || url.password) return 'URLs with credentials (user:password@) are not allowed; use headers';
  if (url.protocol !== 'https:' && !(allowPrivateNetwork && url.protocol === 'http:')) {
    return url.protocol === 'http:'
      ? 'webhook URLs must use https (http is allowed only with --allow-private-network)'
      : `unsupported URL scheme "${url.protocol}"; use https`;
  }
  if (allowPrivateNetwork) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLocalHostName(host)) return `"${host}" is a local host name; allowed only with --allow-private-network`;
  const literal = isIP(host) ? host : normalizeIPv4(host.replace(/\.$/, ''));
  if (literal && isBlockedAddress(literal)) {
    return `"${host}" is a private, loopback or link-local address; allowed only with --allow-private-network`;
  }
  return null;
}
