/**
 * Warnings that match the setup: said once at start (and, for the config ones, after a
 * reload), only when they apply. A warning that shows up for every install teaches
 * operators to ignore warnings; a missing one leaves admin routes open on a public port.
 */
import type { ConfigSnapshot } from './config/snapshot.js';
import { connectionsWithin } from './server/connection-limits.js';

export interface StartupSetup {
  env: NodeJS.ProcessEnv;
  /** The interface `serve` listens on. */
  host: string;
  /** The connection cap in force and the process's open-files limit (when known). */
  connections?: { max: number; openFiles: number | undefined };
  snapshot: ConfigSnapshot;
}

/** Loopback interfaces: only this machine can reach them. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Every warning for this setup, each one line of plain text (never a secret). */
export function startupWarnings(setup: StartupSetup): string[] {
  const warnings: string[] = [];
  if (!setup.env.SWITCHBOARD_ADMIN_TOKEN && !isLoopbackHost(setup.host)) {
    warnings.push(
      `SWITCHBOARD_ADMIN_TOKEN is not set and the runtime listens on ${setup.host}: /config, /metrics and /bots/:bot/stats are open to anyone who can reach it (set SWITCHBOARD_ADMIN_TOKEN)`,
    );
  }
  const platformBots = [...setup.snapshot.bots.values()].filter((b) => b.channels.telegram || b.channels.slack);
  if (!setup.env.SWITCHBOARD_FILES_SECRET && platformBots.length > 0) {
    warnings.push(
      `SWITCHBOARD_FILES_SECRET is not set: links to files users send to ${platformBots.map((b) => `"${b.name}"`).join(', ')} are signed with a per-process key (set it when running several replicas)`,
    );
  }
  const c = setup.connections;
  if (c && c.openFiles !== undefined && setup.env.SWITCHBOARD_MAX_CONNECTIONS?.trim() && c.max > connectionsWithin(c.openFiles)) {
    warnings.push(
      `SWITCHBOARD_MAX_CONNECTIONS is ${c.max}, but the open-files limit (ulimit -n) is ${c.openFiles}: HTTP callers waiting for a reply hold two descriptors each (their connection and the webhook's), so at ${Math.max(1, connectionsWithin(c.openFiles))} waiting callers new connections, webhook calls and Redis can fail with EMFILE (raise the limit or lower the cap)`,
    );
  }
  warnings.push(...configWarnings(setup.snapshot));
  return warnings;
}

/**
 * Warnings about the config itself: a header value with `$NAME` (no braces) is sent as
 * written, which is almost never what was meant. Only text written in YAML is quoted,
 * never a value that came from the environment.
 */
export function configWarnings(snapshot: ConfigSnapshot): string[] {
  const warnings: string[] = [];
  for (const integration of snapshot.integrations.values()) {
    for (const [header, value] of Object.entries(integration.headers)) {
      for (const m of value.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
        if (snapshot.secrets.some((s) => s.includes(m[0]))) continue;
        warnings.push(
          `integration "${integration.name}" (${integration.source.file}:${integration.source.line}): header ${header} contains "${m[0]}", which is sent as written; to use the environment variable write \${${m[1]}}`,
        );
      }
    }
  }
  return warnings;
}
