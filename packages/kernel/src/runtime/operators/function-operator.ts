import type { BaseFunction } from '../../api/functions.js';
import type { OperatorSetup } from '../stream-operator.js';
import { UserFunctionOperator } from '../user-function-operator.js';
import { instantiate, type UserFunction } from './function-instance.js';

/** What an operator with a one-result-per-record function does with the result. */
export type ResultUse = 'emitResult' | 'emitRecordIfTrue' | 'discard';

/**
 * An operator around one user function, class or plain: it opens and closes the class instance and calls
 * its `execute` (or the plain function) with each record.
 *
 * Its batch loop is the hot path of most pipelines, so it is written once here for map, filter and sink
 * (a switch on a constant instead of a virtual call per record) and only handles plain synchronous
 * results; the first promise or exception hands the rest of the batch to the general path of the base.
 */
export abstract class FunctionOperator extends UserFunctionOperator {
  protected readonly instance: BaseFunction | undefined;
  protected readonly execute: (record: any) => unknown;

  constructor(
    setup: OperatorSetup,
    userFunction: UserFunction,
    private readonly resultUse: ResultUse,
  ) {
    super(setup);
    this.instance = instantiate(userFunction, setup.ctx);
    const instance = this.instance as unknown as { execute: (record: unknown) => unknown } | undefined;
    this.execute = instance ? instance.execute.bind(instance) : (userFunction.target as (record: unknown) => unknown);
  }

  override open(): void | Promise<void> {
    return this.instance?.open?.();
  }

  override close(): void | Promise<void> {
    return this.instance?.close?.();
  }

  protected call(record: unknown): unknown {
    return this.execute(record);
  }

  protected handleResult(record: unknown, result: unknown): void {
    if (this.resultUse === 'emitResult') {
      if (result !== undefined) this.emit(result);
    } else if (this.resultUse === 'emitRecordIfTrue') {
      if (result) this.emit(record);
    }
  }

  override processBatch(records: unknown[], input: number, timestamps?: number[]): void | Promise<void> {
    const { metrics, output, ctx } = this.setup;
    metrics.recordsIn += records.length;
    metrics.batchesIn++;
    // Timestamped batches take the general path, which keeps each result's timestamp.
    this.batchTimestamps = timestamps;
    if (timestamps !== undefined) return this.processFrom(records, input, 0);
    const execute = this.execute;
    const keySelector = this.setup.keySelectors[input];
    const state = ctx.keyedState;
    const use = this.resultUse;
    let i = 0;
    try {
      for (; i < records.length; i++) {
        const record = records[i];
        if (keySelector !== undefined) state.currentKey = keySelector(record);
        const result = execute(record);
        if (result instanceof Promise) {
          return this.resume(records, input, i, result);
        }
        if (use === 'emitResult') {
          if (result !== undefined) output.emit(result);
        } else if (use === 'emitRecordIfTrue') {
          if (result) output.emit(record);
        }
      }
    } catch (error) {
      return this.resumeAfterError(records, input, i, error);
    }
  }
}
