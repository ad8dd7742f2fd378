import { FunctionOperator } from './function-operator.js';

/** `map`: emits the function's result; `undefined` drops the record. */
export class MapOperator extends FunctionOperator {
  protected handleResult(_record: unknown, result: unknown): void {
    if (result !== undefined) this.setup.output.emit(result);
  }
}
