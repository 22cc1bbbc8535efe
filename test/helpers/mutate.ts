/**
 * Seeded structural mutation for fuzz tests: a fixed seed gives the same sequence of
 * mutated payloads on every run, so a failure reproduces (the failing case is printed).
 */

export { seededRandom } from './seeded-random.js';

export type Rng = () => number;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

/** A value of a random JSON type, the kinds that break code expecting another type. */
export function randomValue(rng: Rng, depth = 0): unknown {
  const kinds = ['null', 'string', 'number', 'bool', 'object', 'array', 'nullArray', 'empty', 'big', 'negative', 'float', 'unicode'];
  switch (pick(rng, depth > 2 ? kinds.slice(0, 4) : kinds)) {
    case 'null': return null;
    case 'string': return pick(rng, ['x', 'mention', 'bot_command', '@bot', 'image/png', 'private', 'im', 'message', 'app_mention', '1700000000.000001', 'https://example.com/a', '']);
    case 'number': return pick(rng, [0, 1, 7, 42, 2 ** 31, -1]);
    case 'bool': return rng() < 0.5;
    case 'object': return { type: randomValue(rng, depth + 1), id: randomValue(rng, depth + 1), [pick(rng, ['offset', 'length', 'file_id', 'user_id', 'user'])]: randomValue(rng, depth + 1) };
    case 'array': return Array.from({ length: 1 + Math.floor(rng() * 3) }, () => randomValue(rng, depth + 1));
    case 'nullArray': return [null];
    case 'empty': return pick(rng, [{}, [], '']);
    case 'big': return pick(rng, [Number.MAX_SAFE_INTEGER + 2, 1e308, 'x'.repeat(5000)]);
    case 'negative': return pick(rng, [-(2 ** 53), -0, -100]);
    case 'float': return pick(rng, [0.5, 1e-9, 3.14]);
    default: return pick(rng, ['\u0000', '\ud800', '🦄🦄', '<@U1>', '__proto__']);
  }
}

function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = [...prefix, Array.isArray(value) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

/** A deep copy of `seed` with 1–3 random edits: a value replaced, a key deleted or an unknown key added. */
export function mutate<T>(seed: T, rng: Rng): T {
  const copy = structuredClone(seed) as unknown;
  const edits = 1 + Math.floor(rng() * 3);
  for (let i = 0; i < edits; i++) {
    const all = paths(copy);
    if (all.length === 0) break;
    const path = pick(rng, all);
    let parent = copy as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const key = path[path.length - 1] as string | number;
    const r = rng();
    if (r < 0.65) parent[key] = randomValue(rng);
    else if (r < 0.85 && !Array.isArray(parent)) delete parent[key];
    else if (parent[key] !== null && typeof parent[key] === 'object' && !Array.isArray(parent[key])) (parent[key] as Record<string, unknown>)[`unknown_${i}`] = randomValue(rng);
    else parent[key] = randomValue(rng);
  }
  return copy as T;
}
