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

/**
 * The CliIO of the real process. A reader that goes away (`switchboard validate … | head`)
 * makes stdout fail with EPIPE: further output is dropped quietly and the command finishes
 * with its own exit code, instead of an unhandled error event printing a stack.
 */
export function processIO(): CliIO {
  const stdout = quietOnClosedPipe(process.stdout);
  const stderr = quietOnClosedPipe(process.stderr);
  return {
    stdout: (s) => void (stdout.open() && process.stdout.write(s)),
    stderr: (s) => void (stderr.open() && process.stderr.write(s)),
    env: process.env,
    cwd: process.cwd(),
  };
}

function quietOnClosedPipe(stream: NodeJS.WriteStream): { open: () => boolean } {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
  return { open: () => !closed };
}
