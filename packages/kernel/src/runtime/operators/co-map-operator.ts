import type { BaseCoMapFunction } from '../../api/functions.js';
import type { OperatorSetup } from '../stream-operator.js';
import { UserFunctionOperator } from '../user-function-operator.js';
import { instantiate, type UserFunction } from './function-instance.js';

/** `coMap`: records of connected stream N go to the function's `mapN`; `undefined` drops the record. */
export class CoMapOperator extends UserFunctionOperator {
  private readonly instance: BaseCoMapFunction;
  private readonly methods: Array<(record: unknown) => unknown>;

  constructor(setup: OperatorSetup, userFunction: UserFunction, inputs: number) {
    super(setup);
    this.instance = instantiate(userFunction, setup.ctx) as BaseCoMapFunction;
    this.methods = Array.from({ length: inputs }, (_, index) => {
      const method = this.instance[`map${index}`] as (record: unknown) => unknown;
      return method.bind(this.instance);
    });
  }

  override open(): void | Promise<void> {
    return this.instance.open?.();
  }

  override close(): void | Promise<void> {
    return this.instance.close?.();
  }

  protected call(record: unknown, input: number): unknown {
    return this.methods[input]!(record);
  }

  protected handleResult(_record: unknown, result: unknown): void {
    if (result !== undefined) this.emit(result);
  }
}
