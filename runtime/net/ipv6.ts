/**
 * IPv6 text → eight 16-bit groups, and the IPv4 address some IPv6 forms carry inside them.
 * The private-network rule needs both: `::ffff:7f00:1`, `2002:7f00:1::` and
 * `64:ff9b::7f00:1` all lead to 127.0.0.1 and must be judged as that address.
 */
import { isIPv6 } from 'node:net';

/** The eight groups of an IPv6 address (zone and brackets removed), or null when it is not one. */
export function ipv6Groups(address: string): number[] | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!isIPv6(bare)) return null;
  let text = bare.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = 8 - left.length - right.length;
  if (tail === undefined ? fill !== 0 : fill < 0) return null;
  return [...left, ...new Array<number>(fill).fill(0), ...right];
}

const dottedOf = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one:
 * IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, IPv4-compatible
 * `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::/48` and Teredo
 * `2001:0::/32` (the client address, stored inverted). Null for every other address.
 */
export function embeddedIPv4(groups: readonly number[]): string | null {
  const g = (i: number): number => groups[i] ?? 0;
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g(5) === 0xffff) return dottedOf(g(6), g(7));
  if (zeros(0, 4) && g(4) === 0xffff && g(5) === 0) return dottedOf(g(6), g(7));
  if (zeros(0, 6) && (g(6) !== 0 || g(7) > 1)) return dottedOf(g(6), g(7));
  if (g(0) === 0x64 && g(1) === 0xff9b && zeros(2, 6)) return dottedOf(g(6), g(7));
  if (g(0) === 0x2002) return dottedOf(g(1), g(2));
  if (g(0) === 0x2001 && g(1) === 0) return dottedOf(g(6) ^ 0xffff, g(7) ^ 0xffff);
  return null;
}
