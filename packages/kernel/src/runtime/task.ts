import type { ExecutionEdge } from '../graph/execution-graph.js';
import { MAX_WATERMARK } from '../windowing/window.js';
import { type Channel, DATA, END } from './channel.js';
import type { Clock } from './clock.js';
import { InputWatermarks } from './input-watermarks.js';
import type { LoopTracker } from './loop-tracker.js';
import type { InstanceMetrics } from './metrics.js';
import type { SourceOperator } from './operators/source-operator.js';
import type { StopSignal } from './stop-signal.js';
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
      const receiving = watermarks.receive(message, parts);
      if (receiving !== undefined) await receiving;
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

