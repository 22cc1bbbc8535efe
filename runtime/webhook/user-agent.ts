/**
 * `User-Agent: Switchboard/<version>`, the version read once from package.json. The file
 * sits two levels up in a checkout (runtime/webhook/) and three in a build
 * (dist/runtime/webhook/), so walk up to the first package.json named "switchboard".
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  let dir = new URL('./', import.meta.url);
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'switchboard' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; keep walking up
    }
    dir = new URL('../', dir);
  }
  return '0.0.0';
}

/** The package version, read once at load. */
export const SWITCHBOARD_VERSION = readVersion();

/** The User-Agent every outbound webhook request carries. */
export const USER_AGENT = `Switchboard/${SWITCHBOARD_VERSION}`;
