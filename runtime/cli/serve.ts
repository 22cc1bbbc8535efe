/**
 * `switchboard serve [--config DIR] [--port N] [--host H] [--allow-private-network]`: the runtime.
 * Exits non-zero with the located problems when the config is invalid at start; drains
 * in-flight and background messages on SIGTERM/SIGINT within SWITCHBOARD_SHUTDOWN_GRACE; a
 * second signal exits at once.
 */
import { parseArgs } from 'node:util';
import { formatProblems } from '../config/format.js';
import { InvalidConfigError, startRuntime } from '../runtime.js';
import { isEnvFlagOn } from '../core/env-flag.js';
import type { CliIO } from './io.js';

export const usage = `Usage: switchboard serve [--config DIR] [--port N] [--host H] [--allow-private-network]

Runs the runtime: channel routes, admin routes, hot reload of the config directory.

Options:
  --config DIR               config directory (env SWITCHBOARD_CONFIG, default ./integrations)
  --port N                   port (env PORT, default 3000)
  --host H                   interface (env HOST, default 127.0.0.1; use 0.0.0.0 in containers)
  --allow-private-network    allow http:// and private/loopback webhook targets (local development;
                             env SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1|true|yes)
  -h, --help                 this help

Environment: REDIS_URL | REDIS_CLUSTER_NODES | REDIS_SENTINELS + REDIS_SENTINEL_NAME (history +
A/B store and durable delivery; none: in memory; REDIS_USERNAME, REDIS_PASSWORD),
LOG_LEVEL (info), SWITCHBOARD_ADMIN_TOKEN, SWITCHBOARD_PUBLIC_URL, SWITCHBOARD_FILES_SECRET,
SWITCHBOARD_DELIVERY_LEASE (30s), SWITCHBOARD_SHUTDOWN_GRACE (25s),
SWITCHBOARD_MAX_CONNECTIONS (800).
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-private-network': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr(`switchboard serve: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const port = values.port ?? io.env.PORT;
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) > 65535)) {
    io.stderr(`switchboard serve: ${values.port !== undefined ? '--port' : 'PORT'} must be a number from 0 to 65535, got "${port}"\n\n${usage}`);
    return 2;
  }
  const configDir = values.config ?? io.env.SWITCHBOARD_CONFIG ?? 'integrations';
  try {
    const runtime = await startRuntime({
      configDir,
      ...(port !== undefined ? { port: Number(port) } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      allowPrivateNetwork: values['allow-private-network'] === true || isEnvFlagOn(io.env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK),
      env: io.env,
    });
    return await new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) {
          io.stderr(`switchboard serve: second ${signal}, exiting now\n`);
          // Held work is not waited for: with Redis, its leases expire and another replica takes it.
          process.exit(1);
        }
        stopping = true;
        runtime.app.log.info({ signal }, 'shutting down: finishing in-flight messages (a second signal exits at once)');
        runtime.close().then(
          () => {
            resolve(0);
            // Work still running past the grace was released to other replicas: its open
            // webhook or platform calls must not keep this process alive.
            setImmediate(() => process.exit(0));
          },
          (err: unknown) => {
            io.stderr(`switchboard serve: shutdown failed: ${(err as Error).message}\n`);
            resolve(1);
            setImmediate(() => process.exit(1));
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
  } catch (err) {
    if (err instanceof InvalidConfigError) {
      io.stdout(formatProblems(err.problems, 'text'));
      io.stderr(`switchboard serve: the ${err.message}; not starting\n`);
      return 1;
    }
    io.stderr(`switchboard serve: ${(err as Error).message}\n`);
    return 1;
  }
}
