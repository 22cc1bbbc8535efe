/**
 * The package root and version. This file sits one level below the root in a checkout
 * (runtime/) and two in a build (dist/runtime/), so walk up to the first package.json named
 * "switchboard" instead of hard-coding either.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'switchboard') return { root: dir, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
    } catch {
      // not here; keep walking up
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error('switchboard: cannot find the package root (package.json named "switchboard")');
}

const found = findRoot();

/** Absolute path of the package root (where package.json and integrations.schema.json live). */
export const PACKAGE_ROOT = found.root;

/** The package version from package.json. */
export const VERSION = found.version;
