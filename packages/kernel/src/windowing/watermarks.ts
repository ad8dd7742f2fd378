import { OperatorError, ValidationError } from '@sage/common';
import type { Clock } from '../runtime/clock.js';
import { describeValue, requireNonNegativeMillis, requirePositiveCount, requirePositiveMillis, requireOperatorTimestamp } from './validation.js';
import { MAX_WATERMARK, MIN_WATERMARK } from './window.js';

/** Where a watermark generator sends watermarks and idleness. */
export interface WatermarkOutput {
  emitWatermark(watermark: number): void;
  /** No records are coming for now: downstream must not wait for this input's watermark. */
  markIdle(): void;
  markActive(): void;
}

/** Turns the timestamps seen so far into watermarks (Flink's `WatermarkGenerator`). */
export interface WatermarkGenerator<T> {
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  /** Called every `autoWatermarkInterval` of processing time. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/**
 * Tracks the largest timestamp seen and emits `maxSeen - outOfOrdernessMillis - 1`: every later element with a
 * timestamp above that watermark is still on time. Before the first element it emits `MIN_WATERMARK`.
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;

  constructor(readonly outOfOrdernessMillis: number) {
    requireNonNegativeMillis('BoundedOutOfOrdernessWatermarks', 'outOfOrdernessMillis', outOfOrdernessMillis);
    this.maxTimestamp = MIN_WATERMARK + outOfOrdernessMillis + 1;
  }

  onEvent(_event: T, timestamp: number, _output: WatermarkOutput): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(this.currentWatermark);
  }

  get currentWatermark(): number {
    return this.maxTimestamp - this.outOfOrdernessMillis - 1;
  }
}

/** Wraps a generator: after `idleTimeout` of processing time without elements, the input is marked idle. */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private lastActivity: number;
  private idle = false;

  constructor(
    private readonly inner: WatermarkGenerator<T>,
    readonly idleTimeout: number,
    private readonly clock: Clock,
  ) {
    this.lastActivity = clock.now();
  }

  onEvent(event: T, timestamp: number, output: WatermarkOutput): void {
    this.lastActivity = this.clock.now();
    if (this.idle) {
      this.idle = false;
      output.markActive();
    }
    this.inner.onEvent(event, timestamp, output);
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.clock.now() - this.lastActivity >= this.idleTimeout) {
      if (!this.idle) {
        this.idle = true;
        output.markIdle();
      }
      return;
    }
    this.inner.onPeriodicEmit(output);
  }
}

export type TimestampAssigner<T> = (element: T, recordTimestamp: number | undefined) => number;

export interface WatermarkGeneratorContext {
  /** The processing-time clock, used by `withIdleness`. */
  clock: Clock;
}

/** How a source or operator assigns timestamps and generates watermarks (Flink's `WatermarkStrategy`). */
export class WatermarkStrategy<T> {
  private constructor(
    private readonly generatorFactory: (context: WatermarkGeneratorContext) => WatermarkGenerator<T>,
    readonly timestampAssigner: TimestampAssigner<T> | undefined,
    readonly idleTimeout: number | undefined,
  ) {}

  /** Watermark `maxSeen - bound - 1`: elements up to `bound` ms out of order are on time. */
  static forBoundedOutOfOrderness<T>(bound: number): WatermarkStrategy<T> {
    requireNonNegativeMillis('WatermarkStrategy.forBoundedOutOfOrderness', 'bound', bound);
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(bound), undefined, undefined);
  }

  /** For ascending timestamps: watermark `maxSeen - 1`. */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(0), undefined, undefined);
  }

  static forGenerator<T>(factory: (context: WatermarkGeneratorContext) => WatermarkGenerator<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(factory, undefined, undefined);
  }

  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.generatorFactory, assigner, this.idleTimeout);
  }

  withIdleness(idleTimeout: number): WatermarkStrategy<T> {
    requirePositiveMillis('WatermarkStrategy.withIdleness', 'idleTimeout', idleTimeout);
    return new WatermarkStrategy<T>(this.generatorFactory, this.timestampAssigner, idleTimeout);
  }

  createWatermarkGenerator(context: WatermarkGeneratorContext): WatermarkGenerator<T> {
    const generator = this.generatorFactory(context);
    return this.idleTimeout === undefined ? generator : new WatermarksWithIdleness(generator, this.idleTimeout, context.clock);
  }
}

/**
 * Combines the watermarks of several inputs: the output is the minimum over the active inputs and never goes
 * back. An idle input is left out until it sends an element again; it rejoins the minimum once its watermark
 * has caught up with the output (Flink's `StatusWatermarkValve`). When every input is idle, so is the output.
 */
export interface WatermarkCombinerSnapshot {
  inputs: Array<{ watermark: number; idle: boolean; aligned: boolean }>;
  lastOutput: number;
  outputIdle: boolean;
}

export class WatermarkCombiner {
  private readonly inputs: Array<{ watermark: number; idle: boolean; aligned: boolean }>;
  private lastOutput = MIN_WATERMARK;
  private outputIdle = false;

  constructor(
    inputCount: number,
    private readonly output: WatermarkOutput,
  ) {
    requirePositiveCount('WatermarkCombiner', 'inputCount', inputCount);
    this.inputs = Array.from({ length: inputCount }, () => ({ watermark: MIN_WATERMARK, idle: false, aligned: true }));
  }

  get currentWatermark(): number {
    return this.lastOutput;
  }

  get isIdle(): boolean {
    return this.outputIdle;
  }

  inputWatermark(index: number, watermark: number): void {
    const input = this.input(index);
    if (Number.isNaN(watermark) || typeof watermark !== 'number') {
      throw new ValidationError(`WatermarkCombiner: watermark of input ${index} must be a number, got ${describeValue(watermark)}`, {
        details: { operator: 'WatermarkCombiner', watermark: describeValue(watermark) },
      });
    }
    if (input.idle) this.markActive(index);
    if (watermark <= input.watermark) return;
    input.watermark = watermark;
    if (!input.aligned && watermark >= this.lastOutput) input.aligned = true;
    this.advance();
  }

  markIdle(index: number): void {
    const input = this.input(index);
    if (input.idle) return;
    input.idle = true;
    input.aligned = false;
    if (this.inputs.every((each) => each.idle)) {
      this.outputIdle = true;
      this.output.markIdle();
    } else {
      this.advance();
    }
  }

  /** What the combiner has seen, as plain data: a new owner of the operator instance continues from it. */
  snapshot(): WatermarkCombinerSnapshot {
    return { inputs: this.inputs.map((input) => ({ ...input })), lastOutput: this.lastOutput, outputIdle: this.outputIdle };
  }

  /** Continues from `snapshot()`; emits nothing (what it had emitted already went downstream). */
  restore(snapshot: WatermarkCombinerSnapshot): void {
    if (snapshot.inputs.length !== this.inputs.length) {
      throw new ValidationError(`WatermarkCombiner: a snapshot of ${snapshot.inputs.length} inputs cannot restore ${this.inputs.length}`);
    }
    for (const [index, input] of snapshot.inputs.entries()) Object.assign(this.inputs[index]!, input);
    this.lastOutput = snapshot.lastOutput;
    this.outputIdle = snapshot.outputIdle;
  }

  markActive(index: number): void {
    const input = this.input(index);
    if (!input.idle) return;
    input.idle = false;
    input.aligned = input.watermark >= this.lastOutput;
    if (this.outputIdle) {
      this.outputIdle = false;
      this.output.markActive();
    }
  }

  private advance(): void {
    let minimum = Number.POSITIVE_INFINITY;
    for (const input of this.inputs) if (!input.idle && input.aligned) minimum = Math.min(minimum, input.watermark);
    if (minimum !== Number.POSITIVE_INFINITY && minimum > this.lastOutput) {
      this.lastOutput = minimum;
      this.output.emitWatermark(minimum);
    }
  }

  private input(index: number) {
    const input = this.inputs[index];
    if (input === undefined) {
      throw new ValidationError(`WatermarkCombiner: no input ${describeValue(index)} (inputs: ${this.inputs.length})`, {
        details: { operator: 'WatermarkCombiner', input: describeValue(index) },
      });
    }
    return input;
  }
}

/**
 * The work of Flink's `TimestampsAndWatermarksOperator`, for the runtime to call per record: assigns each
 * record's timestamp (rejecting ones that are not integer milliseconds), feeds the generator, and emits its
 * watermarks on `onPeriodicEmit` and, as `MAX_WATERMARK`, at end of input.
 */
export class TimestampsAndWatermarks<T> {
  private readonly generator: WatermarkGenerator<T>;

  constructor(
    readonly operatorName: string,
    private readonly strategy: WatermarkStrategy<T>,
    private readonly output: WatermarkOutput,
    clock: Clock,
  ) {
    this.generator = strategy.createWatermarkGenerator({ clock });
  }

  /** Returns the record's timestamp. */
  processElement(record: T, recordTimestamp?: number): number {
    const assigner = this.strategy.timestampAssigner;
    let assigned: number | undefined = recordTimestamp;
    if (assigner !== undefined) {
      try {
        assigned = assigner(record, recordTimestamp);
      } catch (error) {
        throw new OperatorError(this.operatorName, record, error);
      }
    }
    const timestamp = requireOperatorTimestamp('operator', this.operatorName, assigned, record);
    this.generator.onEvent(record, timestamp, this.output);
    return timestamp;
  }

  onPeriodicEmit(): void {
    this.generator.onPeriodicEmit(this.output);
  }

  /** The input is over: every event-time window downstream may fire. */
  endOfInput(): void {
    this.output.emitWatermark(MAX_WATERMARK);
  }
}
