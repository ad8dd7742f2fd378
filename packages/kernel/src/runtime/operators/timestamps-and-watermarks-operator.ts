import { TimestampsAndWatermarks, type WatermarkOutput, type WatermarkStrategy } from '../../windowing/watermarks.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../windowing/window.js';
import { timestampAt } from '../channel.js';
import { type OperatorSetup, StreamOperator } from '../stream-operator.js';

/**
 * `assignTimestampsAndWatermarks` (Flink's `TimestampsAndWatermarksOperator`): gives every record its
 * timestamp and, after each batch, sends the generator's watermark downstream when it advanced. Upstream
 * watermarks are replaced by its own; only the end of input (`MAX_WATERMARK`) passes.
 *
 * Watermarks are emitted per batch, not on a periodic timer: a batch is the runtime's unit of progress, and
 * emitting from a timer would race with the task's own flushes. Idleness is not sent downstream yet.
 */
export class TimestampsAndWatermarksOperator<T> extends StreamOperator {
  override readonly forwardsWatermarks = false;
  private readonly assigner: TimestampsAndWatermarks<T>;
  private pending = MIN_WATERMARK;
  private sent = MIN_WATERMARK;

  constructor(setup: OperatorSetup, strategy: WatermarkStrategy<T>) {
    super(setup);
    const output: WatermarkOutput = {
      emitWatermark: (watermark) => {
        if (watermark > this.pending) this.pending = watermark;
      },
      markIdle: () => {},
      markActive: () => {},
    };
    this.assigner = new TimestampsAndWatermarks(setup.options.name, strategy, output, setup.clock);
  }

  processBatch(records: unknown[], _input: number, timestamps?: number[]): void | Promise<void> {
    const { metrics, output } = this.setup;
    metrics.recordsIn += records.length;
    metrics.batchesIn++;
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as T;
      output.emitTimestamped(record, this.assigner.processElement(record, timestampAt(timestamps, i)));
    }
    this.assigner.onPeriodicEmit();
    return this.sendPending();
  }

  override processWatermark(watermark: number): void | Promise<void> {
    if (watermark < MAX_WATERMARK) return;
    this.assigner.endOfInput();
    return this.sendPending();
  }

  private sendPending(): void | Promise<void> {
    if (this.pending <= this.sent) return;
    this.sent = this.pending;
    return this.setup.output.emitWatermark(this.sent);
  }
}
