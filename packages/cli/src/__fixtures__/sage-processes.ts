/**
 * The `sage` command as users start it (the CLI's bin under tsx) in child processes: long-running workers that
 * announce themselves on stdout, and commands run to their end. `stopAll()` ends every worker started here.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI_PACKAGE_ROOT } from '../package-paths.js';

const BIN = join(CLI_PACKAGE_ROOT, 'src', 'bin.ts');

/** The test's environment with quiet logs and `overrides`; an undefined override removes the variable. */
function environment(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: Record<string, string | undefined> = { ...process.env, SAGE_LOG_LEVEL: 'warn', ...overrides };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

export interface SageRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** Runs `sage <args>` to its end. */
export function runSage(args: readonly string[], env: Record<string, string | undefined> = {}, cwd = CLI_PACKAGE_ROOT): Promise<SageRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd, env: environment(env), timeout: 60_000 }, (error, stdout, stderr) => {
      const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ stdout, stderr, exitCode });
    });
  });
}

export interface SageWorkerProcess {
  child: ChildProcess;
  /** Everything the worker wrote to stdout and stderr so far. */
  output(): string;
}

export class SageWorkers {
  private readonly started: ChildProcess[] = [];

  /** Starts `sage worker <args>` and resolves once it serves jobs (its "(Ctrl+C to stop)" line). */
  start(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<SageWorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'worker', ...args], {
      cwd: CLI_PACKAGE_ROOT,
      env: environment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.started.push(child);
    let text = '';
    const worker = { child, output: () => text };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sage worker did not start:\n${text}`)), 20_000);
      const collect = (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('(Ctrl+C to stop)')) {
          clearTimeout(timer);
          resolve(worker);
        }
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sage worker exited with ${code}:\n${text}`));
      });
    });
  }

  /** Ends every worker started here (SIGTERM, then SIGKILL after 5 s). */
  async stopAll(): Promise<void> {
    await Promise.all(this.started.map(stop));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
