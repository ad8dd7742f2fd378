import type { FlatMapFunction } from '../../api/functions.js';
import { isThenable, type OperatorSetup } from '../stream-operator.js';
import type { UserFunction } from './function-instance.js';
import { FunctionOperator } from './function-operator.js';

/**
 * `flatMap`: emits what the function collected with `this.collect(x)` (or the plain function's second
 * argument) followed by the iterable it returned.
 */
export class FlatMapOperator extends FunctionOperator {
  constructor(setup: OperatorSetup, userFunction: UserFunction) {
    super(setup, userFunction, 'discard');
  }

  /** The general path: the collector and iterable results do not fit the one-result fast loop. */
  override processBatch(records: unknown[], input: number, timestamps?: number[]): void | Promise<void> {
    this.setup.metrics.recordsIn += records.length;
    this.setup.metrics.batchesIn++;
    this.batchTimestamps = timestamps;
    return this.processFrom(records, input, 0);
  }

  protected override call(record: unknown): unknown {
    const collected: unknown[] = [];
    const instance = this.instance as FlatMapFunction | undefined;
    let returned: unknown;
    if (instance) {
      instance.collector = collected;
      returned = instance.execute(record);
    } else {
      returned = (this.execute as (record: unknown, collect: (x: unknown) => void) => unknown)(record, (x) => {
        collected.push(x);
      });
    }
    if (isThenable(returned)) return Promise.resolve(returned).then((value) => appendIterable(collected, value));
    if (instance) instance.collector = undefined;
    return appendIterable(collected, returned);
  }

  protected override handleResult(_record: unknown, records: unknown): void {
    for (const record of records as unknown[]) this.emit(record);
  }
}

function appendIterable(collected: unknown[], returned: unknown): unknown[] {
  if (returned === undefined || returned === null) return collected;
  if (Array.isArray(returned) && collected.length === 0) return returned;
  if (typeof (returned as Iterable<unknown>)[Symbol.iterator] !== 'function' || typeof returned === 'string') {
    throw new TypeError(`flatMap function must return an iterable (not a string) or undefined, got ${typeof returned}`);
  }
  for (const item of returned as Iterable<unknown>) collected.push(item);
  return collected;
}
