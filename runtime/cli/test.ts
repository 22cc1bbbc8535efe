/**
 * `switchboard test INTEGRATION [--message TEXT] [--config DIR] [--allow-private-network]`:
 * the hosted platform's "Test Integration" button. Loads the config (the tree must be valid and
 * the env references of that integration resolve), sends one real request as the synthetic bot `switchboard-test`, prints the
 * request (secrets redacted), status, latency, reply and a diagnosis. Exit 0 on a good reply.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { formatProblems } from '../config/format.js';
import { isEnvFlagOn } from '../core/env-flag.js';
import { loadForTest } from './test-config.js';
import { DEFAULT_TEST_MESSAGE, runIntegrationTest } from './test-report.js';
import type { CliIO } from './io.js';

export const usage = `Usage: switchboard test INTEGRATION [--message TEXT] [--config DIR] [--allow-private-network]

Sends one real request to INTEGRATION (as bot "switchboard-test", metadata.test: true) and
prints the request with secrets redacted, the status, latency, reply and a diagnosis.
For a stream: true integration it also prints the time to the first token, the number
of deltas and the total time.

Options:
  --message TEXT             the user message (default "${DEFAULT_TEST_MESSAGE}")
  --config DIR               config directory (env SWITCHBOARD_CONFIG, default ./integrations)
  --allow-private-network    allow http:// and private/loopback targets (env SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1|true|yes)
  -h, --help                 this help

Exit codes: 0 good reply, 1 failed request or invalid config, 2 usage error.
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        message: { type: 'string', short: 'm' },
        config: { type: 'string' },
        'allow-private-network': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    io.stderr(`switchboard test: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0]) {
    io.stderr(`switchboard test: name exactly one integration\n\n${usage}`);
    return 2;
  }
  const name = positionals[0];
  const allowPrivateNetwork = values['allow-private-network'] === true || isEnvFlagOn(io.env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK);
  const dir = resolve(io.cwd, values.config ?? io.env.SWITCHBOARD_CONFIG ?? 'integrations');
  const result = await loadForTest(dir, name, { env: io.env, allowPrivateNetwork, cwd: io.cwd });
  if (!result.ok) {
    io.stdout(formatProblems(result.problems, 'text'));
    io.stderr(`switchboard test: the configuration in ${dir} is invalid; fix it first\n`);
    return 1;
  }
  const integration = result.snapshot.integrations.get(name);
  if (!integration) {
    const known = [...result.snapshot.integrations.keys()].sort().join(', ') || '(none)';
    io.stderr(`switchboard test: no integration named "${name}" in ${dir}; known: ${known}\n`);
    return 2;
  }
  const { ok, report } = await runIntegrationTest(integration, {
    message: values.message ?? DEFAULT_TEST_MESSAGE,
    allowPrivateNetwork,
    secrets: result.snapshot.secrets,
  });
  io.stdout(report.endsWith('\n') ? report : `${report}\n`);
  return ok ? 0 : 1;
}
