import type { Logger } from '@sage/common';
import type { ExecutionGraph, ExecutionVertex } from '../graph/execution-graph.js';
import { ServiceRegistry, type ServiceDefinition } from '../services/service-registry.js';
import { Channel, END } from './channel.js';
import { type Clock, sleep } from './clock.js';
import type { JobResult, JobStatus } from './job-result.js';
import { LoopTracker } from './loop-tracker.js';
import { aggregateMetrics, InstanceMetrics } from './metrics.js';
import { createStopSignal, type StopSignal } from './stop-signal.js';
import { Output, type OutputEdge } from './output.js';
import type { RestartStrategy } from './restart-strategy.js';
import { createOperator } from './restarting-operator.js';
import { RuntimeContext } from './runtime-context.js';
import type { KeySelector, OperatorSetup } from './stream-operator.js';
import { LOOP_END_EDGE, runOperatorTask, runSourceTask } from './task.js';

/** How long a failed job waits for its other tasks to wind down before it reports the failure. */
const FAILURE_GRACE_MS = 2_000;

export interface RuntimeSettings {
  /** Records per batch between operators. */
  batchSize: number;
  /** Batches a channel holds before its producers wait. */
  channelCapacity: number;
  /** Longest time a slow async source or operator holds records before handing them on. */
  lingerMs: number;
  clock: Clock;
  logger: Logger;
  /** For operators without their own `restart` option. */
  restartStrategy?: RestartStrategy;
}

/** Runs an execution graph in this process: one task per operator instance, bounded channels between them. */
export class LocalExecutor {
  private readonly stopSignal: StopSignal & { stop(): void };
  private readonly channels: Channel[] = [];
  private status: JobStatus = 'running';
  private startedAt = 0;
  private readonly startedAtDate = new Date();
  private readonly metricsByVertex = new Map<ExecutionVertex, InstanceMetrics[]>();

  constructor(
    private readonly graph: ExecutionGraph,
    private readonly services: readonly ServiceDefinition[],
    private readonly settings: RuntimeSettings,
  ) {
    this.stopSignal = createStopSignal();
  }

  /** Asks the sources to end; what is in flight drains and sinks close normally. */
  stop(): void {
    if (this.status === 'running') this.status = 'stopped';
    this.stopSignal.stop();
  }

  /** Metrics so far (also while running). */
  result(): JobResult {
    const operators: JobResult['operators'] = {};
    for (const [vertex, instances] of this.metricsByVertex) {
      const { options, operation } = vertex.transformation;
      operators[options.name] = aggregateMetrics(options.name, operation, instances);
    }
    return {
      jobName: this.graph.jobName,
      status: this.status,
      startedAt: this.startedAtDate.toISOString(),
      durationMs: Math.round((this.settings.clock.now() - this.startedAt) * 1000) / 1000,
      operators,
    };
  }

  async run(): Promise<JobResult> {
    const { clock, logger } = this.settings;
    this.startedAt = clock.now();
    const registry = new ServiceRegistry(this.services, clock, logger);
    await registry.start();
    try {
      const tasks = this.createTasks(registry);
      await this.runToEnd(tasks);
      if (this.status === 'running') this.status = 'finished';
      return this.result();
    } catch (error) {
      this.status = 'failed';
      throw error;
    } finally {
      await registry.stop();
    }
  }

  private async runToEnd(tasks: Array<() => Promise<void>>): Promise<void> {
    let firstError: unknown;
    let failed!: () => void;
    const failure = new Promise<void>((resolve) => (failed = resolve));
    const running = tasks.map((task) =>
      task().catch((error) => {
        if (firstError === undefined) {
          firstError = error;
          // Tear the job down: sources stop, and every task waiting on a channel wakes with the error.
          this.stopSignal.stop();
          for (const channel of this.channels) channel.abort(error);
          failed();
        }
      }),
    );
    const allDone = Promise.all(running);
    // After a failure, tasks stuck in a user function that never settles must not hold the job open.
    await Promise.race([allDone, failure.then(() => Promise.race([allDone, sleep(this.settings.clock, FAILURE_GRACE_MS)]))]);
    if (firstError !== undefined) throw firstError;
  }

  private createTasks(registry: ServiceRegistry): Array<() => Promise<void>> {
    const { batchSize, channelCapacity, clock, logger, lingerMs } = this.settings;
    const vertices = this.graph.vertices;
    const channelsByVertex = new Map<ExecutionVertex, Channel[]>();
    for (const vertex of vertices) {
      // A future on a loop reads the feedback edge: it never blocks, so a full loop cannot deadlock.
      const feedback = vertex.transformation.kind === 'future' && vertex.loop !== undefined;
      const capacity = feedback ? Number.POSITIVE_INFINITY : channelCapacity;
      const channels = Array.from({ length: vertex.parallelism }, () => new Channel(capacity));
      channelsByVertex.set(vertex, channels);
      this.channels.push(...channels);
    }
    const loops = this.createLoopTrackers(channelsByVertex);

    const tasks: Array<() => Promise<void>> = [];
    for (const vertex of vertices) {
      const transformation = vertex.transformation;
      const instances: InstanceMetrics[] = [];
      this.metricsByVertex.set(vertex, instances);
      const keySelectors: (KeySelector | undefined)[] = [];
      for (const edge of vertex.inputs) keySelectors[edge.inputIndex] ??= edge.keySelector;
      for (let index = 0; index < vertex.parallelism; index++) {
        const name = transformation.options.name;
        const ctx = new RuntimeContext(
          name,
          this.graph.jobName,
          index,
          vertex.parallelism,
          logger.child({ operator: name, instance: index }),
          registry,
        );
        ctx.keyedState.keyed = keySelectors.some((selector) => selector !== undefined);
        ctx.keyedState.reuseHandles = transformation.options.concurrency === 1;
        const metrics = new InstanceMetrics();
        instances.push(metrics);
        const outputEdges: OutputEdge[] = vertex.outputs.map((edge) => ({
          partitioner: edge.partitioner,
          targets: edge.partitioner.kind === 'forward' ? [channelsByVertex.get(edge.to)![index]!] : channelsByVertex.get(edge.to)!,
          targetEdge: edge.targetEdge,
          tag: edge.sideTag,
        }));
        const output = new Output(outputEdges, batchSize, index);
        const setup: OperatorSetup = {
          ctx,
          output,
          metrics,
          clock,
          options: transformation.options,
          batchSize,
          lingerMs,
          keySelectors,
        };
        if (transformation.createSource !== undefined) {
          const source = transformation.createSource(setup);
          tasks.push(() => runSourceTask(source, output, metrics, clock, this.stopSignal));
          continue;
        }
        const operator = createOperator(transformation.createOperator!, setup, this.settings.restartStrategy);
        const channel = channelsByVertex.get(vertex)![index]!;
        const loop = vertex.loop === undefined ? undefined : loops.get(vertex.loop);
        const externalEdges = new Set(
          vertex.inputs.filter((edge) => edge.from.loop !== vertex.loop || vertex.loop === undefined).map((edge) => edge.targetEdge),
        );
        tasks.push(() =>
          runOperatorTask({ operator, channel, output, metrics, clock, inputs: vertex.inputs, loop, externalEdges }),
        );
      }
    }
    // Loops with no outside input are done before they start.
    queueMicrotask(() => {
      for (const loop of loops.values()) loop.check();
    });
    return tasks;
  }

  private createLoopTrackers(channelsByVertex: Map<ExecutionVertex, Channel[]>): Map<number, LoopTracker> {
    const loops = new Map<number, LoopTracker>();
    const members = new Map<number, ExecutionVertex[]>();
    for (const vertex of this.graph.vertices) {
      if (vertex.loop === undefined) continue;
      const list = members.get(vertex.loop) ?? [];
      list.push(vertex);
      members.set(vertex.loop, list);
    }
    for (const [loopId, vertices] of members) {
      let externalEnds = 0;
      for (const vertex of vertices) {
        for (const edge of vertex.inputs) {
          if (edge.from.loop !== loopId) externalEnds += edge.upstreamInstances * vertex.parallelism;
        }
      }
      const futures = vertices.filter((vertex) => vertex.transformation.kind === 'future');
      const tracker = new LoopTracker(externalEnds, () => {
        for (const future of futures) {
          for (const channel of channelsByVertex.get(future)!) channel.put({ kind: END, edge: LOOP_END_EDGE });
        }
      });
      for (const vertex of vertices) for (const channel of channelsByVertex.get(vertex)!) channel.loop = tracker;
      loops.set(loopId, tracker);
    }
    return loops;
  }
}
