/** Process glue for the `sage` binary: runs the CLI on the real process and sets its exit code. */
import { runCli } from './cli.js';

/**
 * Sets `process.exitCode` rather than calling `process.exit()`: stdout is flushed, a job the pipeline left running
 * may finish, and an exit code the pipeline set itself is kept when the command succeeds.
 */
export async function main(argv: readonly string[]): Promise<void> {
  // `sage run pipeline.ts | head`: a reader that stops early is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  const exitCode = await runCli(argv);
  if (exitCode !== 0) process.exitCode = exitCode;
}
