import type { OperatorSetup } from '../stream-operator.js';
import type { UserFunction } from './function-instance.js';
import { FunctionOperator } from './function-operator.js';

/** `filter`: emits the record when the function returns a truthy value. */
export class FilterOperator extends FunctionOperator {
  constructor(setup: OperatorSetup, userFunction: UserFunction) {
    super(setup, userFunction, 'emitRecordIfTrue');
  }
}
