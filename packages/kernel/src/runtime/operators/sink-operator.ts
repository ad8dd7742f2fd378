import { FunctionOperator } from './function-operator.js';

/** `sink`: consumes records; the function class's `close()` runs after the last one. */
export class SinkOperator extends FunctionOperator {
  protected handleResult(): void {}
}
