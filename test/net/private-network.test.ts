/**
 * The private-network classifier as a table: every form of a private, loopback, link-local
 * or otherwise non-public target is refused by `checkTargetUrl` (what `validate` runs) and by
 * `preflightUrl` (what the runtime runs before dispatch: undici never looks IP literals up),
 * and every IP form is also refused by `isBlockedAddress` (the connect-time check on resolved
 * addresses). Public look-alikes stay allowed, so the rule does not over-block.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTargetUrl, isBlockedAddress, isLocalHostName } from '../../runtime/net/private-network.js';
import { embeddedIPv4, ipv6Groups } from '../../runtime/net/ipv6.js';
import { validateDirs } from '../../runtime/config/validate.js';
import { guardedLookup, preflightUrl } from '../../runtime/webhook/guarded-dispatcher.js';

const REFUSED: Array<[string, string]> = [
  ['IPv4 loopback', 'https://127.0.0.1/'],
  ['IPv4 short form', 'https://127.1/'],
  ['IPv4 as one decimal number', 'https://2130706433/'],
  ['IPv4 as one hex number', 'https://0x7f000001/'],
  ['IPv4 hex parts', 'https://0x7f.1/'],
  ['IPv4 octal parts', 'https://0177.0.0.1/'],
  ['IPv4 as one octal number', 'https://017700000001/'],
  ['IPv4 with a trailing dot', 'https://127.0.0.1./'],
  ['IPv4 unspecified', 'https://0.0.0.0/'],
  ['IPv4 zero', 'https://0/'],
  ['10/8', 'https://10.0.0.1/'],
  ['172.16/12 start', 'https://172.16.0.1/'],
  ['172.16/12 end', 'https://172.31.255.255/'],
  ['192.168/16', 'https://192.168.1.1/'],
  ['link-local (cloud metadata)', 'https://169.254.169.254/'],
  ['CGNAT', 'https://100.64.0.1/'],
  ['benchmarking', 'https://198.18.0.1/'],
  ['multicast', 'https://224.0.0.1/'],
  ['broadcast', 'https://255.255.255.255/'],
  ['IETF protocol assignments', 'https://192.0.0.8/'],
  ['TEST-NET-1', 'https://192.0.2.1/'],
  ['TEST-NET-2', 'https://198.51.100.1/'],
  ['TEST-NET-3', 'https://203.0.113.1/'],
  ['reserved 240/4', 'https://240.0.0.1/'],
  ['6to4 relay anycast', 'https://192.88.99.1/'],
  ['IPv6 loopback', 'https://[::1]/'],
  ['IPv6 loopback written out', 'https://[0:0:0:0:0:0:0:1]/'],
  ['IPv6 unspecified', 'https://[::]/'],
  ['IPv4-mapped, dotted', 'https://[::ffff:127.0.0.1]/'],
  ['IPv4-mapped, hex', 'https://[::ffff:7f00:1]/'],
  ['IPv4-translated, hex', 'https://[::ffff:0:7f00:1]/'],
  ['IPv4-translated, dotted', 'https://[::ffff:0:127.0.0.1]/'],
  ['IPv4-compatible, dotted', 'https://[::127.0.0.1]/'],
  ['IPv4-compatible, hex', 'https://[::7f00:1]/'],
  ['NAT64 of loopback', 'https://[64:ff9b::7f00:1]/'],
  ['NAT64 of 10/8, dotted', 'https://[64:ff9b::10.0.0.1]/'],
  ['local-use NAT64', 'https://[64:ff9b:1::a00:1]/'],
  ['6to4 of loopback', 'https://[2002:7f00:1::]/'],
  ['6to4 of the metadata address', 'https://[2002:a9fe:a9fe::1]/'],
  ['Teredo with a loopback client', 'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/'],
  ['IPv4-mapped metadata address', 'https://[::ffff:169.254.169.254]/'],
  ['unique local fc00::/7', 'https://[fc00::1]/'],
  ['unique local fd00::/8', 'https://[fd12:3456::1]/'],
  ['IPv6 link-local', 'https://[fe80::1]/'],
  ['IPv6 site-local', 'https://[fec0::1]/'],
  ['IPv6 multicast', 'https://[ff02::1]/'],
  ['IPv6 documentation', 'https://[2001:db8::1]/'],
  ['IPv6 discard-only', 'https://[100::1]/'],
  ['localhost', 'https://localhost/'],
  ['localhost in capitals', 'https://LOCALHOST/'],
  ['localhost with a trailing dot', 'https://localhost./'],
  ['*.localhost', 'https://api.localhost/'],
  ['*.localhost with a trailing dot', 'https://a.b.localhost./'],
  ['localhost.localdomain', 'https://localhost.localdomain/'],
  ['mDNS .local', 'https://printer.local/'],
  ['.internal', 'https://metadata.google.internal/'],
];

const ALLOWED: Array<[string, string]> = [
  ['public IPv4', 'https://8.8.8.8/'],
  ['public IPv4 with a trailing dot', 'https://1.1.1.1./'],
  ['public name', 'https://api.example.com/hook'],
  ['public IPv6', 'https://[2606:4700:4700::1111]/'],
  ['IPv4-mapped public', 'https://[::ffff:8.8.8.8]/'],
  ['6to4 of a public address', 'https://[2002:808:808::]/'],
  ['NAT64 of a public address', 'https://[64:ff9b::808:808]/'],
  ['a name merely starting with localhost', 'https://localhost.example.com/'],
  ['a name merely ending in localhost', 'https://notlocalhost/'],
  ['a name made of an IP and a domain', 'https://127.0.0.1.example.com/'],
];

const hostOf = (url: string): string => new URL(url).hostname.replace(/^\[|\]$/g, '');

describe('private-network classifier', () => {
  it(`covers ${REFUSED.length} refused forms`, () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(47);
  });

  it.each(REFUSED)('refuses %s (%s) in validate and before dispatch, and allows it with the flag', (_name, url) => {
    expect(checkTargetUrl(url, false)).toMatch(/allowed only with --allow-private-network$/);
    expect(preflightUrl(url, false)).toMatch(/allowed only with --allow-private-network$/);
    expect(checkTargetUrl(url, true)).toBeNull();
  });

  // The URL parser turns every IPv4 spelling into dotted form, so all literal forms are here.
  it.each(REFUSED.filter(([, url]) => isIP(hostOf(url)) !== 0))('judges %s as a connected address too', (_name, url) => {
    expect(isBlockedAddress(hostOf(url))).toBe(true);
  });

  it.each(ALLOWED)('allows %s (%s)', (_name, url) => {
    expect(checkTargetUrl(url, false)).toBeNull();
    expect(preflightUrl(url, false)).toBeNull();
    if (/^[\d.:a-f]+$/.test(hostOf(url))) expect(isBlockedAddress(hostOf(url))).toBe(false);
  });

  it('refuses at connect time a name whose AAAA record embeds a private IPv4 address', async () => {
    for (const address of ['::ffff:0:7f00:1', '2002:7f00:1::', '64:ff9b::a9fe:a9fe']) {
      const lookup = guardedLookup(async () => [{ address, family: 6 }]);
      const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('public.example.com', { all: true }, (e) => resolve(e)));
      expect(err?.code).toBe('SWB_BLOCKED_ADDRESS');
    }
  });
});

describe('IPv6 helpers', () => {
  it('expand every textual form to eight groups', () => {
    expect(ipv6Groups('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('[2002:7f00:1::]')).toEqual([0x2002, 0x7f00, 1, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(ipv6Groups('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('127.0.0.1')).toBeNull();
    expect(ipv6Groups('example.com')).toBeNull();
  });

  it('find the IPv4 address inside the forms that carry one, and only those', () => {
    const inner = (a: string): string | null => embeddedIPv4(ipv6Groups(a) as number[]);
    expect(inner('::ffff:0:7f00:1')).toBe('127.0.0.1');
    expect(inner('64:ff9b::c0a8:101')).toBe('192.168.1.1');
    expect(inner('2002:a00:1::')).toBe('10.0.0.1');
    expect(inner('2001:0:4136:e378:8000:63bf:80ff:fffe')).toBe('127.0.0.1');
    expect(inner('2606:4700:4700::1111')).toBeNull();
  });

  it('names local host names whatever their case or trailing dot', () => {
    expect(['localhost', 'Localhost.', 'x.localhost', 'localhost.localdomain.', 'nas.local'].every(isLocalHostName)).toBe(true);
    expect(['localhost.example.com', 'mylocalhost', 'local'].some(isLocalHostName)).toBe(false);
  });
});

describe('validate with the forms the classifier added', () => {
  it('reports each at its url with rule private-network', async () => {
    const urls = ['https://[::ffff:0:7f00:1]/', 'https://[2002:7f00:1::]/', 'https://[64:ff9b::7f00:1]/', 'https://localhost./', 'https://localhost.localdomain/', 'https://api.localhost/'];
    const dir = mkdtempSync(join(tmpdir(), 'swb-private-'));
    try {
      const docs = urls.map((url, i) => `apiVersion: switchboard/v1\nkind: Integration\nname: target-${i}\ntype: custom\nurl: ${url}\n`);
      writeFileSync(join(dir, 'targets.yaml'), docs.join('---\n'));
      const problems = await validateDirs([dir]);
      expect(problems.map((p) => `${p.line}:${p.column} ${p.rule}`)).toEqual(urls.map((_, i) => `${5 + 6 * i}:6 private-network`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
