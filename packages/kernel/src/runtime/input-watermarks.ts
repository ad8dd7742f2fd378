/**
 * The event time of one operator instance with several upstream instances: one `WatermarkCombiner` over every
 * upstream instance of every input edge. A new combined watermark runs the operator's `processWatermark` and
 * goes downstream; when every input is idle, so is this instance's output, and it becomes active again with any
 * of them. Used by the local task and by the worker's job runner (which saves `snapshot()` with each commit).
 */
import type { ExecutionEdge } from '../graph/execution-graph.js';
import { WatermarkCombiner, type WatermarkCombinerSnapshot } from '../windowing/watermarks.js';
import { WATERMARK, type WatermarkMessage, type WatermarkStatusMessage } from './channel.js';
import type { Output } from './output.js';
import type { StreamOperator } from './stream-operator.js';

export interface WatermarkReceiver {
  operator: StreamOperator;
  output: Output;
}

export class InputWatermarks {
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

  snapshot(): WatermarkCombinerSnapshot {
    return this.combiner.snapshot();
  }

  restore(snapshot: WatermarkCombinerSnapshot): void {
    this.combiner.restore(snapshot);
  }

  /**
   * Feeds the message to the combiner; runs the operator on a new watermark and forwards what changed. Returns a
   * promise only when something waits: a watermark comes with every batch, on every edge.
   */
  receive(message: WatermarkMessage | WatermarkStatusMessage, receiver: WatermarkReceiver): void | Promise<void> {
    this.advanced = undefined;
    this.status = undefined;
    const input = this.offsets[message.edge]! + message.from;
    if (message.kind === WATERMARK) this.combiner.inputWatermark(input, message.watermark);
    else if (message.idle) this.combiner.markIdle(input);
    else this.combiner.markActive(input);
    const { advanced, status } = this;
    if (status === undefined) return advanced === undefined ? undefined : advanceWatermark(receiver, advanced);
    return this.receiveStatus(receiver, advanced, status);
  }

  private async receiveStatus(receiver: WatermarkReceiver, advanced: number | undefined, status: 'idle' | 'active'): Promise<void> {
    const forwards = receiver.operator.forwardsWatermarks;
    if (status === 'active' && forwards) await receiver.output.emitWatermarkStatus(false);
    if (advanced !== undefined) await advanceWatermark(receiver, advanced);
    if (status === 'idle' && forwards) await receiver.output.emitWatermarkStatus(true);
  }
}

function advanceWatermark(receiver: WatermarkReceiver, watermark: number): void | Promise<void> {
  const processing = receiver.operator.processWatermark(watermark);
  if (processing !== undefined) return processing.then(() => forwardWatermark(receiver, watermark));
  return forwardWatermark(receiver, watermark);
}

function forwardWatermark({ operator, output }: WatermarkReceiver, watermark: number): void | Promise<void> {
  return operator.forwardsWatermarks ? output.emitWatermark(watermark) : output.flush();
}
