import { TimestampsAndWatermarks, type WatermarkOutput, type WatermarkStrategy } from '../../windowing/watermarks.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../windowing/window.js';
import { timestampAt } from '../channel.js';
import { type OperatorSetup, StreamOperator } from '../stream-operator.js';

/** How often an assigner with idleness checks for it, in processing time (Flink's `autoWatermarkInterval`). */
export const WATERMARK_INTERVAL_MS = 200;

/**
 * `assignTimestampsAndWatermarks` (Flink's `TimestampsAndWatermarksOperator`): gives every record its
 * timestamp and, after each batch, sends the generator's watermark downstream when it advanced. Upstream
 * watermarks are replaced by its own; only the end of input (`MAX_WATERMARK`) passes.
 *
 * Watermarks follow the batches, the runtime's unit of progress. Only a strategy `withIdleness` also runs on
 * the clock, every `WATERMARK_INTERVAL_MS`, since an idle input sends no batches; it sends only while the
 * output is quiet, so a status or watermark never overtakes records still on their way.
 */
export class TimestampsAndWatermarksOperator<T> extends StreamOperator {
  override readonly forwardsWatermarks = false;
  private readonly assigner: TimestampsAndWatermarks<T>;
  private pending = MIN_WATERMARK;
  private sent = MIN_WATERMARK;
  private idle = false;
  private sentIdle = false;
  private cancelTimer: (() => void) | undefined;
  private ended = false;

  constructor(
    setup: OperatorSetup,
    private readonly strategy: WatermarkStrategy<T>,
  ) {
    super(setup);
    const output: WatermarkOutput = {
      emitWatermark: (watermark) => {
        if (watermark > this.pending) this.pending = watermark;
      },
      markIdle: () => {
        this.idle = true;
      },
      markActive: () => {
        this.idle = false;
      },
    };
    this.assigner = new TimestampsAndWatermarks(setup.options.name, strategy, output, setup.clock);
  }

  override open(): void {
    if (this.strategy.idleTimeout !== undefined) this.scheduleCheck();
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
    this.stopChecks();
    this.idle = false;
    this.assigner.endOfInput();
    return this.sendPending();
  }

  override close(): void {
    this.stopChecks();
  }

  /** Activity before the watermark it allows, idleness after the last watermark before it. */
  private sendPending(): void | Promise<void> {
    const { output } = this.setup;
    // The usual case, after each batch: no idleness to report, at most a watermark.
    if (!this.idle && !this.sentIdle) {
      if (this.pending <= this.sent) return;
      this.sent = this.pending;
      return output.emitWatermark(this.sent);
    }
    const steps: Array<() => void | Promise<void>> = [];
    if (!this.idle && this.sentIdle) {
      this.sentIdle = false;
      steps.push(() => output.emitWatermarkStatus(false));
    }
    if (this.pending > this.sent) {
      const watermark = (this.sent = this.pending);
      steps.push(() => output.emitWatermark(watermark));
    }
    if (this.idle && !this.sentIdle) {
      this.sentIdle = true;
      steps.push(() => output.emitWatermarkStatus(true));
    }
    return runInOrder(steps, 0);
  }

  private scheduleCheck(): void {
    this.cancelTimer = this.setup.clock.schedule(WATERMARK_INTERVAL_MS, () => {
      if (this.ended) return;
      this.scheduleCheck();
      if (!this.setup.output.quiet) return;
      this.assigner.onPeriodicEmit();
      // A failure here means the job is being torn down; the task reports the job's error.
      Promise.resolve(this.sendPending()).catch(() => {});
    });
  }

  private stopChecks(): void {
    this.ended = true;
    this.cancelTimer?.();
  }
}

function runInOrder(steps: Array<() => void | Promise<void>>, from: number): void | Promise<void> {
  for (let i = from; i < steps.length; i++) {
    const pending = steps[i]!();
    if (pending !== undefined) return pending.then(() => runInOrder(steps, i + 1));
  }
}
