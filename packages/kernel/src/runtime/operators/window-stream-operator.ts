import type { WindowAssigner } from '../../windowing/assigners.js';
import type { Evictor } from '../../windowing/evictors.js';
import type { Trigger } from '../../windowing/triggers.js';
import { NativeWindowOperator } from '../../windowing/native-window-operator.js';
import type { NativeWindowPlan } from '../../windowing/window-engine-choice.js';
import { type SpecializedWindowOperator, specializedWindowOperator } from '../../windowing/specialized-window-operator.js';
import { WindowOperator } from '../../windowing/window-operator.js';
import type { Window } from '../../windowing/window.js';
import type { WindowFunction } from '../../windowing/window-functions.js';
import type { Clock } from '../clock.js';
import { timestampAt } from '../channel.js';
import type { WindowKeySnapshot } from '../../windowing/window-key-snapshot.js';
import { type DurableChange, type OperatorSetup, StreamOperator } from '../stream-operator.js';

/** The prefix of the state fields that hold one key's window state on workers (`#w:<key id>`). */
const WINDOW_KEY_FIELD = '#w:';

/** What `window(...)` / `windowAll(...)` and the calls after it declared. */
export interface WindowDeclaration {
  assigner: WindowAssigner<Window>;
  trigger?: Trigger<any, Window>;
  evictor?: Evictor<any, Window>;
  allowedLateness?: number;
  /** Side output tag of late records; without it they are dropped and counted. */
  lateDataTag?: string;
  function: WindowFunction<any, any, any, Window>;
  /** Set when the window runs in the native engine (`engine` option, see `chooseWindowEngine`). */
  native?: NativeWindowPlan;
}

/**
 * Runs a window operator in a task (the native engine's, a specialized TypeScript one where it applies, else
 * the general core's `WindowOperator`): batches become elements (with their timestamps),
 * the task's combined watermark drives event time, and results leave with their window's `maxTimestamp`.
 * The key comes from the keyed input edge; `windowAll` has none, so all records share one key.
 */
export class WindowStreamOperator extends StreamOperator {
  private readonly window: WindowOperator<unknown, unknown> | SpecializedWindowOperator<unknown, unknown, unknown> | NativeWindowOperator<unknown, unknown>;
  private finished = false;
  /** A failure in a processing-time firing, reported by the task's next call. */
  private failure: { error: unknown } | undefined;

  constructor(setup: OperatorSetup, declaration: WindowDeclaration) {
    super(setup);
    const { output } = setup;
    const tag = declaration.lateDataTag;
    const sideOutputLateData = tag === undefined ? undefined : (record: unknown) => output.emitSide(tag, record);
    const collect = {
      collect: (record: unknown, timestamp: number) => output.emitTimestamped(record, timestamp),
      collectAll: (records: ArrayLike<unknown>, timestamps: ArrayLike<number>, count: number) => output.emitTimestampedAll(records, timestamps, count),
    };
    setup.metrics.lateRecordsDropped = 0;
    // On workers the window state goes to Redis with each batch, which the TypeScript operators can give.
    if (declaration.native !== undefined && !setup.durable) {
      this.window = new NativeWindowOperator(
        {
          name: setup.options.name,
          keySelector: setup.keySelectors[0],
          allowedLateness: declaration.allowedLateness,
          sideOutputLateData,
          output: collect,
          clock: setup.clock,
        },
        declaration.native,
      );
      setup.metrics.windowEngine = 'native';
      return;
    }
    const options = {
      name: setup.options.name,
      assigner: declaration.assigner,
      trigger: declaration.trigger,
      evictor: declaration.evictor,
      keySelector: setup.keySelectors[0],
      allowedLateness: declaration.allowedLateness,
      sideOutputLateData,
      function: declaration.function,
      output: collect,
      clock: this.processingTimeClock(setup.clock),
      trackChanges: setup.durable,
    };
    const specialized = specializedWindowOperator(options);
    this.window = specialized ?? new WindowOperator(options);
    setup.metrics.windowEngine = specialized === undefined ? 'general' : specialized.engine;
  }

  override takeDurableChanges(): DurableChange[] {
    if (this.window instanceof NativeWindowOperator) return [];
    return this.window.takeKeyChanges().map(([keyId, snapshot]) => [`${WINDOW_KEY_FIELD}${keyId}`, snapshot]);
  }

  override restoreDurable(fields: ReadonlyArray<[string, unknown]>, watermark: number): void {
    if (this.window instanceof NativeWindowOperator) return;
    const snapshots = fields.filter(([field]) => field.startsWith(WINDOW_KEY_FIELD)).map(([, snapshot]) => snapshot as WindowKeySnapshot);
    this.window.restoreKeys(snapshots, watermark);
  }

  processBatch(records: unknown[], _input: number, timestamps?: number[]): void {
    this.rethrow();
    const { metrics } = this.setup;
    metrics.recordsIn += records.length;
    metrics.batchesIn++;
    try {
      if (this.window instanceof NativeWindowOperator) this.window.processBatch(records, timestamps);
      else for (let i = 0; i < records.length; i++) this.window.processElement(records[i], timestampAt(timestamps, i));
    } finally {
      metrics.lateRecordsDropped = this.window.numLateRecordsDropped;
    }
  }

  override processWatermark(watermark: number): void {
    this.rethrow();
    this.window.processWatermark(watermark);
    this.setup.metrics.lateRecordsDropped = this.window.numLateRecordsDropped;
  }

  /** Also fires what is left where no task sent the final watermark (remote workers). */
  override finish(): void {
    this.rethrow();
    this.window.endOfInput();
    this.finished = true;
  }

  override close(): void {
    this.finished = true;
    this.window.close();
  }

  /**
   * Processing-time windows fire from clock callbacks, between batches: their results are flushed at once,
   * and a failure is kept for the task to report.
   */
  private processingTimeClock(clock: Clock): Clock {
    return {
      now: () => clock.now(),
      schedule: (ms, callback) =>
        clock.schedule(ms, () => {
          if (this.finished || this.failure !== undefined) return;
          try {
            callback();
            const flushing = this.setup.output.flush();
            if (flushing !== undefined) flushing.catch((error) => (this.failure ??= { error }));
          } catch (error) {
            this.failure = { error };
          }
        }),
    };
  }

  private rethrow(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
