/**
 * What a CLI subcommand may touch: output streams, environment, working directory. Passed in
 * so tests can run commands in-process and capture everything.
 */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A subcommand module: `run` returns the exit code. */
export interface CliCommand {
  run(argv: string[], io: CliIO): Promise<number>;
}

/** The CliIO of the real process. */
export function processIO(): CliIO {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
  };
}
