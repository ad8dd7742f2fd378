import { VirtualClock } from '../testing/virtual-clock.js';
import { NativeWindowOperator } from './native-window-operator.js';
import { type SpecializedWindowOperator, specializedWindowOperator } from './specialized-window-operator.js';
import { chooseWindowEngine } from './window-engine-choice.js';
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
  /** The general core, a specialized TypeScript operator (`engine: 'specialized'`) or the native engine's (`engine: 'native'`). */
  readonly operator: WindowOperator<In, Out, Key, W> | SpecializedWindowOperator<In, Out, Key> | NativeWindowOperator<In, Out, Key>;
  private readonly output: StreamRecord<Out>[] = [];
  private readonly sideOutput: StreamRecord<In>[] = [];
  private readonly watermarks: number[] = [];

  constructor(
    options: Omit<WindowOperatorOptions<In, Out, Key, W>, 'output' | 'clock' | 'sideOutputLateData'> & {
      sideOutputLateData?: boolean;
      clock?: VirtualClock;
      /**
       * `native` runs the window in the sage_flow engine (or throws why it cannot); `specialized` picks as a
       * job's TypeScript engine does: the aligned tables or the session lists when they can run the window, else
       * the general core. Default `typescript`: the general core.
       */
      engine?: 'typescript' | 'specialized' | 'native';
    },
  ) {
    this.clock = options.clock ?? new VirtualClock();
    const sideOutputLateData = options.sideOutputLateData ? (value: In, timestamp: number) => this.sideOutput.push({ value, timestamp }) : undefined;
    const output = {
      collect: (value: Out, timestamp: number) => this.output.push({ value, timestamp }),
      collectAll: (values: ArrayLike<Out>, timestamps: ArrayLike<number>, count: number) => {
        for (let i = 0; i < count; i++) this.output.push({ value: values[i]!, timestamp: timestamps[i]! });
      },
      emitWatermark: (watermark: number) => this.watermarks.push(watermark),
    };
    if (options.engine === 'native') {
      const plan = chooseWindowEngine(`window operator "${options.name}"`, 'native', options as never)!;
      this.operator = new NativeWindowOperator<In, Out, Key>({ ...options, clock: this.clock, sideOutputLateData, output }, plan);
      return;
    }
    const operatorOptions = { ...options, clock: this.clock, sideOutputLateData, output };
    const specialized = options.engine === 'specialized' ? specializedWindowOperator(operatorOptions as unknown as WindowOperatorOptions<In, Out, Key, Window>) : undefined;
    this.operator = specialized ?? new WindowOperator<In, Out, Key, W>(operatorOptions);
  }

  /** Feeds records as one batch (the native engine's unit; the TypeScript core takes them one by one). */
  processBatch(records: In[], timestamps: number[]): void {
    if (this.operator instanceof NativeWindowOperator) this.operator.processBatch(records, timestamps);
    else for (let i = 0; i < records.length; i++) this.operator.processElement(records[i], timestamps[i]);
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
