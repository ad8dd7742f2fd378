/** The `sage` command line, runnable in-process: `runCli(argv, io)` returns the exit code instead of exiting. */
import { Command, CommanderError } from 'commander';
import { type CliIo, processIo } from './cli-io.js';
import { registerChat } from './commands/register-chat.js';
import { registerConfig } from './commands/register-config.js';
import { registerDoctor } from './commands/register-doctor.js';
import { registerExtensions } from './commands/register-extensions.js';
import { registerIndex } from './commands/register-index.js';
import { registerJob } from './commands/register-job.js';
import { registerRun } from './commands/register-run.js';
import { registerWorker } from './commands/register-worker.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { formatError } from './format-error.js';
import { readCliVersion } from './package-paths.js';

/**
 * A fresh program (commander keeps parsed state, so use one per run). Commands report their exit code through
 * `setExitCode`; commander's own exits (help, version, usage errors) are thrown as CommanderError.
 */
export function createProgram(io: CliIo, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('sage')
    .description('SAGE-TS: run dataflow pipelines, index documents, check the machine, manage project config and jobs')
    .version(readCliVersion(), '-v, --version', 'print the @sage/cli version')
    .showHelpAfterError('(run sage --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    // Set before adding subcommands: they inherit it.
    .exitOverride();
  registerRun(program, io, setExitCode);
  registerDoctor(program, io, setExitCode);
  registerConfig(program, io, setExitCode);
  registerExtensions(program, io, setExitCode);
  registerIndex(program, io, setExitCode);
  registerChat(program, io, setExitCode);
  registerJob(program, io, setExitCode);
  registerWorker(program, io, setExitCode);
  return program;
}

/** Runs `sage` with `argv` (without node and script), e.g. `['doctor', '--json']`; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const resolvedIo: CliIo = { ...processIo(), ...io };
  let exitCode = EXIT_OK;
  const program = createProgram(resolvedIo, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // Help and --version exit 0; every other commander exit is a usage error (message already printed).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    resolvedIo.stderr.write(formatError(error));
    return EXIT_FAILURE;
  }
  return exitCode;
}
