/**
 * How a worker gets a job's graph without user code travelling: it sets a process-global capture hook, imports
 * the pipeline module, and `RemoteEnvironment.submit()` hands its compiled graph to the hook instead of
 * submitting, then throws `CaptureComplete` so that nothing after `submit` runs in the worker.
 */
import type { ExecutionGraph } from '../../graph/execution-graph.js';
import type { RestartStrategy } from '../../runtime/restart-strategy.js';
import type { ServiceDefinition } from '../../services/service-registry.js';

/** What a pipeline module's `submit()` hands to a worker. */
export interface CapturedJob {
  graph: ExecutionGraph;
  services: readonly ServiceDefinition[];
  batchSize: number;
  lingerMs: number;
  /** The job's restart strategy; workers apply it as the local executor does. */
  restartStrategy?: RestartStrategy;
}

export type CaptureHook = (job: CapturedJob) => void;

/** A global slot (Symbol.for) so the hook is found whichever copy of the kernel the module imported. */
const CAPTURE_SLOT = Symbol.for('sage.remote.capture');

/** Thrown by `submit()` in a worker once the graph is captured; the worker's import catches it. */
export class CaptureComplete extends Error {
  constructor() {
    super('pipeline captured by a SAGE worker; the rest of the module does not run here');
    this.name = 'CaptureComplete';
  }
}

export function captureHook(): CaptureHook | undefined {
  return (globalThis as Record<symbol, CaptureHook | undefined>)[CAPTURE_SLOT];
}

/** Whether an error is the sentinel, also from another copy of the kernel. */
export function isCaptureComplete(error: unknown): boolean {
  return error instanceof Error && error.name === 'CaptureComplete';
}

/**
 * Imports `url` with the hook set and resolves with what `submit()` handed over, or undefined when the module
 * never called it. Callers run one capture at a time (the slot is process-global).
 */
export async function captureJob(url: string): Promise<CapturedJob | undefined> {
  const slots = globalThis as Record<symbol, CaptureHook | undefined>;
  let captured: CapturedJob | undefined;
  slots[CAPTURE_SLOT] = (job) => {
    captured ??= job;
  };
  try {
    await import(url);
  } catch (error) {
    if (!isCaptureComplete(error)) throw error;
  } finally {
    slots[CAPTURE_SLOT] = undefined;
  }
  return captured;
}
