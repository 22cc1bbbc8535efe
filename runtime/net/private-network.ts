/**
 * The private-network rule: webhook targets and user/webhook-supplied file
 * URLs must be public HTTPS unless `--allow-private-network`. `validate` judges literal
 * addresses and `localhost` without DNS (`checkTargetUrl`); the runtime judges the address
 * it actually connects to (`isBlockedAddress`, used from undici's connect lookup).
 */
import { BlockList, isIP } from 'node:net';

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
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
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
  if (family === 6) {
    // IPv4-mapped / compatible / NAT64 forms: judge the embedded IPv4 address.
    const mapped = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
    const hexMapped = /^(?:::ffff:|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
    if (hexMapped?.[1] && hexMapped[2]) {
      const hi = parseInt(hexMapped[1], 16);
      const lo = parseInt(hexMapped[2], 16);
      return blocked.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
    }
    return blocked.check(bare, 'ipv6');
  }
  return false;
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
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) {
    return `"${host}" is a local host name; allowed only with --allow-private-network`;
  }
  const literal = isIP(host) ? host : normalizeIPv4(host);
  if (literal && isBlockedAddress(literal)) {
    return `"${host}" is a private, loopback or link-local address; allowed only with --allow-private-network`;
  }
  return null;
}
