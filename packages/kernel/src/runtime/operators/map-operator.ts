import type { OperatorSetup } from '../stream-operator.js';
import type { UserFunction } from './function-instance.js';
import { FunctionOperator } from './function-operator.js';

/** `map`: emits the function's result; `undefined` drops the record. */
export class MapOperator extends FunctionOperator {
  constructor(setup: OperatorSetup, userFunction: UserFunction) {
    super(setup, userFunction, 'emitResult');
  }
}
