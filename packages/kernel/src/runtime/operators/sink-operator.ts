import type { OperatorSetup } from '../stream-operator.js';
import type { UserFunction } from './function-instance.js';
import { FunctionOperator } from './function-operator.js';

/** `sink`: consumes records; the function class's `close()` runs after the last one. */
export class SinkOperator extends FunctionOperator {
  constructor(setup: OperatorSetup, userFunction: UserFunction) {
    super(setup, userFunction, 'discard');
  }
}
