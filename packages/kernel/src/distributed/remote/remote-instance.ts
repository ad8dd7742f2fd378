/**
 * Builds one operator instance of a remote job, as the local executor does, except that its output edges end
 * in `RemoteTarget`s (queues) instead of channels: partitioning stays in `Output`.
 */
import type { Logger } from '@sage/common';
import type { ExecutionGraph, ExecutionVertex } from '../../graph/execution-graph.js';
import type { Clock } from '../../runtime/clock.js';
import { InstanceMetrics } from '../../runtime/metrics.js';
import { Output, type OutputEdge } from '../../runtime/output.js';
import { RuntimeContext } from '../../runtime/runtime-context.js';
import type { KeySelector, OperatorSetup } from '../../runtime/stream-operator.js';
import type { ServiceCaller } from '../../services/service-registry.js';
import type { OperatorMetricsDelta } from '../job-record.js';
import { PersistentKeyedState } from '../worker/persistent-keyed-state.js';
import type { JobQueues } from './job-queues.js';
import { RemoteTarget } from './remote-target.js';

export interface InstanceEnvironment {
  graph: ExecutionGraph;
  queues: JobQueues;
  /** The job's services: the instances themselves in the submitting process, a client of them on workers. */
  services: ServiceCaller;
  clock: Clock;
  logger: Logger;
  batchSize: number;
  lingerMs: number;
}

/** The `ctx` of an instance on a worker: its keyed state is written back to Redis with each batch. */
export class RemoteRuntimeContext extends RuntimeContext {
  override readonly keyedState: PersistentKeyedState;

  constructor(...args: ConstructorParameters<typeof RuntimeContext>) {
    super(...args);
    this.keyedState = new PersistentKeyedState(args[0]);
  }
}

export function operatorName(vertex: ExecutionVertex): string {
  return vertex.transformation.options.name;
}

/** The setup (context, output, metrics) of instance `index` of `vertex`, and the remote targets of its output. */
export function createSetup(
  vertex: ExecutionVertex,
  index: number,
  env: InstanceEnvironment,
): { setup: OperatorSetup; targets: RemoteTarget[]; state: PersistentKeyedState } {
  const targets: RemoteTarget[] = [];
  const name = operatorName(vertex);
  const ctx = new RemoteRuntimeContext(name, env.graph.jobName, index, vertex.parallelism, env.logger.child({ operator: name, instance: index }), env.services);
  const keySelectors: (KeySelector | undefined)[] = [];
  for (const edge of vertex.inputs) keySelectors[edge.inputIndex] ??= edge.keySelector;
  ctx.keyedState.keyed = keySelectors.some((selector) => selector !== undefined);
  ctx.keyedState.reuseHandles = vertex.transformation.options.concurrency === 1;
  const outputEdges: OutputEdge[] = vertex.outputs.map((edge) => {
    const target = (partition: number) => {
      const remote = new RemoteTarget(env.queues.queue(operatorName(edge.to), partition), name, index, edge.targetEdge);
      targets.push(remote);
      return remote;
    };
    return {
      partitioner: edge.partitioner,
      targets: edge.partitioner.kind === 'forward' ? [target(index)] : Array.from({ length: edge.to.parallelism }, (_, p) => target(p)),
      targetEdge: edge.targetEdge,
      tag: edge.sideTag,
    };
  });
  const setup: OperatorSetup = {
    ctx,
    output: new Output(outputEdges, env.batchSize, index),
    metrics: new InstanceMetrics(),
    clock: env.clock,
    options: vertex.transformation.options,
    batchSize: env.batchSize,
    lingerMs: env.lingerMs,
    keySelectors,
    durable: true,
  };
  return { setup, targets, state: ctx.keyedState };
}

/**
 * The counters added since `last` (which is updated), for `JobStore.mergeMetrics`: each process sends only
 * what it counted, so an instance that ran in several processes adds up.
 */
export function metricsDelta(metrics: InstanceMetrics, recordsOut: number, last: InstanceMetrics): OperatorMetricsDelta {
  const delta: OperatorMetricsDelta = {
    recordsIn: metrics.recordsIn - last.recordsIn,
    recordsOut: recordsOut - last.recordsOut,
    batchesIn: metrics.batchesIn - last.batchesIn,
    skipped: metrics.skipped - last.skipped,
    retries: metrics.retries - last.retries,
    errors: metrics.errors - last.errors,
    restarts: metrics.restarts - last.restarts,
    busyMs: Math.max(0, metrics.busyMs - last.busyMs),
  };
  Object.assign(last, { ...metrics, recordsOut });
  return delta;
}

/** Every (operator, partition) that runs on workers: all instances of every vertex but the sources. */
export function workerPartitions(graph: ExecutionGraph): Array<{ vertex: ExecutionVertex; operator: string; partition: number }> {
  return graph.vertices
    .filter((vertex) => vertex.transformation.createSource === undefined)
    .flatMap((vertex) => Array.from({ length: vertex.parallelism }, (_, partition) => ({ vertex, operator: operatorName(vertex), partition })));
}

/** Sink partitions: vertices without outputs. Their end is the job's end. */
export function sinkPartitionCount(graph: ExecutionGraph): number {
  return graph.vertices
    .filter((vertex) => vertex.transformation.createSource === undefined && vertex.outputs.length === 0)
    .reduce((total, vertex) => total + vertex.parallelism, 0);
}
