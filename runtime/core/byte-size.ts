/**
 * Sizes as people write them in env vars: `256MiB`, `1GiB`, `64mb`, `500kB`, or a plain
 * number of bytes. Binary units (KiB, MiB, GiB, TiB) are powers of 1024, decimal ones (kB,
 * MB, GB, TB) powers of 1000; units are case-insensitive and may follow a space.
 */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

/** The number of bytes `text` stands for (rounded down), or null when it is not a size ≥ 1 byte. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return null;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : null;
}
