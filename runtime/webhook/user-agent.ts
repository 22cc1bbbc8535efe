/**
 * `User-Agent: Switchboard/<version>`, the version read once from package.json (by
 * runtime/version.ts).
 */
import { VERSION } from '../core/version.js';

/** The package version, read once at load. */
export const SWITCHBOARD_VERSION = VERSION;

/** The User-Agent every outbound webhook request carries. */
export const USER_AGENT = `Switchboard/${SWITCHBOARD_VERSION}`;
