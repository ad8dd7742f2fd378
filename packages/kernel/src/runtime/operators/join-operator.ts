import type { BaseJoinFunction } from '../../api/functions.js';
import type { OperatorSetup } from '../stream-operator.js';
import { UserFunctionOperator } from '../user-function-operator.js';
import { instantiate, type UserFunction } from './function-instance.js';

/** `join`: calls `execute(payload, key, tag)` for records of both keyed inputs and emits what it returns. */
export class JoinOperator extends UserFunctionOperator {
  private readonly instance: BaseJoinFunction;

  constructor(setup: OperatorSetup, userFunction: UserFunction) {
    super(setup);
    this.instance = instantiate(userFunction, setup.ctx) as BaseJoinFunction;
  }

  override open(): void | Promise<void> {
    return this.instance.open?.();
  }

  override close(): void | Promise<void> {
    return this.instance.close?.();
  }

  protected call(record: unknown, input: number): unknown {
    return this.instance.execute(record, this.setup.ctx.keyedState.currentKey, input);
  }

  protected handleResult(_record: unknown, result: unknown): void {
    if (result === undefined || result === null) return;
    for (const record of result as Iterable<unknown>) this.setup.output.emit(record);
  }
}
