import type { RemoteSettings } from '../distributed/remote/remote-submission.js';

/**
 * Where `submit()` runs a job when the process that loads a pipeline file decides instead of the file:
 * `sage run --remote` sets a remote target before importing the file, so a file written for a
 * `LocalEnvironment` runs on workers unchanged. The slot is process-global (Symbol.for), so the target is seen
 * whichever copy of the kernel the file imports.
 */

/** Run on `sage worker` processes: the settings a `RemoteEnvironment` would take (its own config wins). */
export interface RemoteExecutionTarget {
  kind: 'remote';
  /** Redis URL; default redis://127.0.0.1:6379. */
  redis?: string;
  /** Key prefix of the job store; default `sage`. */
  prefix?: string;
  /** How the pipeline module reaches the workers; default `path`. */
  code?: 'path' | 'bundle';
}

export type ExecutionTarget = RemoteExecutionTarget;

const TARGET_SLOT = Symbol.for('sage.execution.target');

/** Sets (or with `undefined` clears) the target of every later `submit()` in this process. Experimental. */
export function setExecutionTarget(target: ExecutionTarget | undefined): void {
  (globalThis as Record<symbol, ExecutionTarget | undefined>)[TARGET_SLOT] = target;
}

export function executionTarget(): ExecutionTarget | undefined {
  return (globalThis as Record<symbol, ExecutionTarget | undefined>)[TARGET_SLOT];
}

/** The remote settings given in a target or config, without undefined ones (so they do not hide others). */
export function remoteSettings(source: RemoteSettings | undefined): RemoteSettings {
  if (source === undefined) return {};
  const { redis, prefix, module, connectTimeoutMs, code, clusterSecret } = source;
  return Object.fromEntries(Object.entries({ redis, prefix, module, connectTimeoutMs, code, clusterSecret }).filter(([, value]) => value !== undefined));
}
