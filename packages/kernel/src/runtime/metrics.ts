/**
 * The engine of a window operator: `native` (sage_flow C++), `aligned` (TypeScript tables for tumbling and sliding
 * aggregates), `sessions` (TypeScript session lists for session aggregates) or `general` (the TypeScript core, for
 * everything else).
 */
export type WindowEngineName = 'native' | 'aligned' | 'sessions' | 'general';

/** Counters of one operator instance. Plain fields: they are bumped on the hot path. */
export class InstanceMetrics {
  recordsIn = 0;
  recordsOut = 0;
  batchesIn = 0;
  /** Records whose function failed and were skipped to the dead letters. */
  skipped = 0;
  /** Extra attempts made under `onError: 'retry'`. */
  retries = 0;
  errors = 0;
  /** Times the instance was restarted by its restart strategy. */
  restarts = 0;
  /** Window operators only (others leave it unset): late records dropped, no late-data side output set. */
  lateRecordsDropped: number | undefined = undefined;
  /** Window operators only: which engine runs the window. */
  windowEngine: WindowEngineName | undefined = undefined;
  /** Milliseconds spent inside the operator (processing batches). */
  busyMs = 0;
  maxQueueDepth = 0;
  startedAt = 0;
  finishedAt = 0;
}

/** Per-operator metrics in a job result: instance counters summed. */
export interface OperatorMetrics {
  name: string;
  kind: string;
  parallelism: number;
  recordsIn: number;
  recordsOut: number;
  batchesIn: number;
  skipped: number;
  retries: number;
  errors: number;
  /** Restarts of the operator's instances by their restart strategy. */
  restarts: number;
  /** Window operators only: late records dropped (no `sideOutputLateData`). */
  lateRecordsDropped?: number;
  /** Window operators of a LocalEnvironment job only: the engine that ran the window. */
  windowEngine?: WindowEngineName;
  busyMs: number;
  maxQueueDepth: number;
  /** Average records per input batch. */
  meanBatchSize: number;
  /** recordsIn per second of the operator's wall time. */
  throughput: number;
}

export function aggregateMetrics(
  name: string,
  kind: string,
  instances: readonly InstanceMetrics[],
): OperatorMetrics {
  const sum = (pick: (m: InstanceMetrics) => number) => instances.reduce((total, m) => total + pick(m), 0);
  const recordsIn = sum((m) => m.recordsIn);
  const batchesIn = sum((m) => m.batchesIn);
  const started = Math.min(...instances.map((m) => m.startedAt));
  const finished = Math.max(...instances.map((m) => m.finishedAt || m.startedAt));
  const seconds = Math.max(finished - started, 1e-3) / 1000;
  return {
    name,
    kind,
    parallelism: instances.length,
    recordsIn,
    recordsOut: sum((m) => m.recordsOut),
    batchesIn,
    skipped: sum((m) => m.skipped),
    retries: sum((m) => m.retries),
    errors: sum((m) => m.errors),
    restarts: sum((m) => m.restarts),
    ...(instances.some((m) => m.lateRecordsDropped !== undefined) ? { lateRecordsDropped: sum((m) => m.lateRecordsDropped ?? 0) } : {}),
    ...(instances[0]?.windowEngine === undefined ? {} : { windowEngine: instances[0].windowEngine }),
    busyMs: Math.round(sum((m) => m.busyMs) * 1000) / 1000,
    maxQueueDepth: Math.max(0, ...instances.map((m) => m.maxQueueDepth)),
    meanBatchSize: batchesIn === 0 ? 0 : Math.round((recordsIn / batchesIn) * 10) / 10,
    throughput: Math.round(recordsIn / seconds),
  };
}
