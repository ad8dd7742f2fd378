import type { ExecutionEdge } from '../graph/execution-graph.js';
import { MAX_WATERMARK } from '../windowing/window.js';
import { WatermarkCombiner } from '../windowing/watermarks.js';
import { type Channel, DATA, END, WATERMARK, type WatermarkMessage, type WatermarkStatusMessage } from './channel.js';
import type { Clock } from './clock.js';
import type { LoopTracker } from './loop-tracker.js';
import type { InstanceMetrics } from './metrics.js';
import type { SourceOperator, StopSignal } from './operators/source-operator.js';
import type { Output } from './output.js';
import type { StreamOperator } from './stream-operator.js';

/** The edge index of the message a loop tracker sends to end a future stream. */
export const LOOP_END_EDGE = -1;

/**
 * Opens, runs and closes one instance. `close` always runs, also when `open` failed part-way (so what it
 * acquired before failing is released) and after a failure of the body; a failing `close` is reported only
 * when nothing failed before it, so it never hides the first error.
 */
async function lifecycle(
  open: () => void | Promise<void>,
  body: () => Promise<void>,
  close: () => void | Promise<void>,
): Promise<void> {
  let failure: { error: unknown } | undefined;
  try {
    await open();
    await body();
  } catch (error) {
    failure = { error };
  }
  try {
    await close();
  } catch (error) {
    failure ??= { error };
  }
  if (failure !== undefined) throw failure.error;
}

/** Runs one source instance. */
export async function runSourceTask(
  source: SourceOperator,
  output: Output,
  metrics: InstanceMetrics,
  clock: Clock,
  stop: StopSignal,
): Promise<void> {
  metrics.startedAt = clock.now();
  try {
    await lifecycle(
      () => source.open(),
      async () => {
        await source.run(stop);
        await output.end();
      },
      () => source.close(),
    );
  } finally {
    metrics.recordsOut = output.recordsOut;
    metrics.finishedAt = clock.now();
  }
}

export interface OperatorTaskParts {
  operator: StreamOperator;
  channel: Channel;
  output: Output;
  metrics: InstanceMetrics;
  clock: Clock;
  inputs: readonly ExecutionEdge[];
  /** Set for instances on a feedback loop. */
  loop: LoopTracker | undefined;
  /** For loop instances: which input edges come from outside the loop. */
  externalEdges: ReadonlySet<number>;
}

/**
 * Runs one operator instance: takes batches from its channel until every upstream instance of every input
 * has sent end-of-partition, then finishes, flushes and sends its own end downstream.
 */
export async function runOperatorTask(parts: OperatorTaskParts): Promise<void> {
  const { operator, channel, output, metrics, clock } = parts;
  metrics.startedAt = clock.now();
  try {
    await lifecycle(
      () => operator.open(),
      () => consume(parts),
      () => operator.close(),
    );
  } finally {
    metrics.recordsOut = output.recordsOut;
    metrics.maxQueueDepth = channel.maxDepth;
    metrics.finishedAt = clock.now();
  }
}

async function consume(parts: OperatorTaskParts): Promise<void> {
  const { operator, channel, output, metrics, clock, inputs, loop, externalEdges } = parts;
  let remainingEnds = 0;
  for (const edge of inputs) remainingEnds += edge.upstreamInstances;
  let watermarks: InputWatermarks | undefined;
  while (remainingEnds > 0) {
    const message = channel.poll() ?? (await channel.take());
    if (message.kind === DATA) {
      const started = clock.now();
      const processing = operator.processBatch(message.records, inputs[message.edge]!.inputIndex, message.timestamps);
      if (processing !== undefined) await processing;
      const flushing = output.flush();
      if (flushing !== undefined) await flushing;
      metrics.busyMs += clock.now() - started;
      loop?.finishWork();
    } else if (message.kind === END) {
      if (message.edge === LOOP_END_EDGE) break;
      remainingEnds--;
      if (loop !== undefined && externalEdges.has(message.edge)) loop.externalInputEnded();
    } else {
      watermarks ??= new InputWatermarks(inputs);
      await watermarks.receive(message, parts);
    }
  }
  // End of input is the final watermark: every remaining event-time window fires before finish (rule 8).
  // It goes downstream only when watermarks came in, so pipelines without event time send nothing more.
  const processing = operator.processWatermark(MAX_WATERMARK);
  if (processing !== undefined) await processing;
  if (watermarks !== undefined && watermarks.current < MAX_WATERMARK && operator.forwardsWatermarks) {
    await output.emitWatermark(MAX_WATERMARK);
  }
  await operator.finish();
  await output.end();
}

async function advanceWatermark(parts: OperatorTaskParts, watermark: number): Promise<void> {
  const processing = parts.operator.processWatermark(watermark);
  if (processing !== undefined) await processing;
  if (parts.operator.forwardsWatermarks) await parts.output.emitWatermark(watermark);
  else await parts.output.flush();
}

/**
 * One `WatermarkCombiner` over every upstream instance of every input edge, made on the first watermark or
 * status. When all of them are idle, so is this instance's output; it becomes active again with any of them.
 */
class InputWatermarks {
  private readonly offsets: number[] = [];
  private readonly combiner: WatermarkCombiner;
  private advanced: number | undefined;
  private status: 'idle' | 'active' | undefined;

  constructor(inputs: readonly ExecutionEdge[]) {
    let count = 0;
    for (const edge of inputs) {
      this.offsets.push(count);
      count += edge.upstreamInstances;
    }
    this.combiner = new WatermarkCombiner(Math.max(1, count), {
      emitWatermark: (watermark) => {
        this.advanced = watermark;
      },
      markIdle: () => {
        this.status = 'idle';
      },
      markActive: () => {
        this.status = 'active';
      },
    });
  }

  get current(): number {
    return this.combiner.currentWatermark;
  }

  /** Feeds the message to the combiner; runs the operator on a new watermark and forwards what changed. */
  async receive(message: WatermarkMessage | WatermarkStatusMessage, parts: OperatorTaskParts): Promise<void> {
    this.advanced = undefined;
    this.status = undefined;
    const input = this.offsets[message.edge]! + message.from;
    if (message.kind === WATERMARK) this.combiner.inputWatermark(input, message.watermark);
    else if (message.idle) this.combiner.markIdle(input);
    else this.combiner.markActive(input);
    const { advanced, status } = this;
    const forwards = parts.operator.forwardsWatermarks;
    if (status === 'active' && forwards) await parts.output.emitWatermarkStatus(false);
    if (advanced !== undefined) await advanceWatermark(parts, advanced);
    if (status === 'idle' && forwards) await parts.output.emitWatermarkStatus(true);
  }
}
