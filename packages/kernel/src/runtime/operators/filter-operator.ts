import { FunctionOperator } from './function-operator.js';

/** `filter`: emits the record when the function returns a truthy value. */
export class FilterOperator extends FunctionOperator {
  protected handleResult(record: unknown, keep: unknown): void {
    if (keep) this.setup.output.emit(record);
  }
}
