import type { BaseFunction } from '../../api/functions.js';
import type { OperatorSetup } from '../stream-operator.js';
import { UserFunctionOperator } from '../user-function-operator.js';
import { instantiate, type UserFunction } from './function-instance.js';

/**
 * An operator around one user function, class or plain: it opens and closes the class instance and calls
 * its `execute` (or the plain function) with the record.
 */
export abstract class FunctionOperator extends UserFunctionOperator {
  protected readonly instance: BaseFunction | undefined;
  protected readonly execute: (record: any) => unknown;

  constructor(setup: OperatorSetup, userFunction: UserFunction) {
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
}
