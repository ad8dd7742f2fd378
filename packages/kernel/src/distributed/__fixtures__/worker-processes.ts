/**
 * Worker processes for the end-to-end tests: `start-worker.ts` under tsx, with the test's Redis and prefix.
 * `stopAll()` ends every process started here (SIGTERM, then SIGKILL after 5 s); call it in `afterAll`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(FIXTURES, '..', '..', '..', '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** The SageWorker id, as written in leases and the job's worker set. */
  id: string;
}

export class WorkerProcesses {
  private readonly started: ChildProcess[] = [];
  /** The workers that reported ready, in start order. */
  readonly processes: WorkerProcess[] = [];
  readonly output: string[] = [];

  constructor(
    private readonly redis: string,
    private readonly prefix: string,
  ) {}

  start(codeDir: string): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, 'start-worker.ts'), codeDir], {
      cwd: REPO_ROOT,
      env: { ...process.env, SAGE_TEST_REDIS: this.redis, SAGE_TEST_PREFIX: this.prefix, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.started.push(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start:\n${this.output.join('')}`)), 20_000);
      const collect = (chunk: Buffer) => {
        const text = chunk.toString();
        this.output.push(text);
        const ready = /worker ready (\S+)/.exec(text);
        if (ready !== null) {
          clearTimeout(timer);
          const worker = { child, id: ready[1]! };
          this.processes.push(worker);
          resolve(worker);
        }
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code}:\n${this.output.join('')}`));
      });
    });
  }

  /** Ends every worker started here, also ones that failed to start. */
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
