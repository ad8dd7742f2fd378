import { VirtualClock } from '../testing/virtual-clock.js';
import { WindowOperator, type WindowOperatorOptions } from './window-operator.js';
import type { Window } from './window.js';

export interface StreamRecord<T> {
  value: T;
  timestamp: number;
}

/**
 * Drives a window operator by hand, like Flink's `KeyedOneInputStreamOperatorTestHarness`: feed elements with
 * timestamps, watermarks and processing time, then read what it emitted.
 */
export class WindowOperatorTestHarness<In, Out, Key = unknown, W extends Window = Window> {
  readonly clock: VirtualClock;
  readonly operator: WindowOperator<In, Out, Key, W>;
  private readonly output: StreamRecord<Out>[] = [];
  private readonly sideOutput: StreamRecord<In>[] = [];
  private readonly watermarks: number[] = [];

  constructor(options: Omit<WindowOperatorOptions<In, Out, Key, W>, 'output' | 'clock' | 'sideOutputLateData'> & { sideOutputLateData?: boolean; clock?: VirtualClock }) {
    this.clock = options.clock ?? new VirtualClock();
    this.operator = new WindowOperator<In, Out, Key, W>({
      ...options,
      clock: this.clock,
      sideOutputLateData: options.sideOutputLateData ? (value, timestamp) => this.sideOutput.push({ value, timestamp }) : undefined,
      output: {
        collect: (value, timestamp) => this.output.push({ value, timestamp }),
        emitWatermark: (watermark) => this.watermarks.push(watermark),
      },
    });
  }

  processElement(value: In, timestamp?: number): void {
    this.operator.processElement(value, timestamp);
  }

  processWatermark(watermark: number): void {
    this.operator.processWatermark(watermark);
  }

  /** Moves the virtual processing-time clock to `time`, firing due processing-time timers. */
  setProcessingTime(time: number): void {
    this.clock.advance(time - this.clock.now());
  }

  endOfInput(): void {
    this.operator.endOfInput();
  }

  close(): void {
    this.operator.close();
  }

  getOutput(): StreamRecord<Out>[] {
    return [...this.output];
  }

  /** The output values only. */
  getOutputValues(): Out[] {
    return this.output.map((record) => record.value);
  }

  getSideOutput(): StreamRecord<In>[] {
    return [...this.sideOutput];
  }

  getEmittedWatermarks(): number[] {
    return [...this.watermarks];
  }

  /** Forgets what was emitted so far. */
  clearOutput(): void {
    this.output.length = 0;
    this.sideOutput.length = 0;
    this.watermarks.length = 0;
  }
}
