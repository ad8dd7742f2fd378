/** Where a command reads and writes, injectable so every command can be tested in-process. */

/** Anything with a `write(text)`: `process.stdout`, or a collector in tests. */
export interface TextSink {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** Directory relative paths (`sage.config.yaml`, `.env`, the pipeline file) are resolved against. */
  cwd: string;
  /** Environment the commands read; `sage run` also writes `SAGE_LOG_LEVEL` and `.env` values into it. */
  env: Record<string, string | undefined>;
  /** Where interactive commands (`sage chat`) read lines from; default `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
}

/** The real process: its streams, working directory and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env, stdin: process.stdin };
}
