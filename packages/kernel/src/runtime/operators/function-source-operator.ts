import type { BaseFunction } from '../../api/functions.js';
import { isThenable, type OperatorSetup } from '../stream-operator.js';
import { instantiate, type UserFunction } from './function-instance.js';
import { EXHAUSTED, fromSourceResult, type Pulled, SourceOperator } from './source-operator.js';

/**
 * A source around a user function: a `SourceFunction` (unbounded: `END_OF_STREAM` ends it) or a
 * `BatchFunction` (bounded: `undefined` ends it), as a class or a plain function.
 */
export class FunctionSourceOperator extends SourceOperator {
  private readonly instance: BaseFunction | undefined;
  private readonly execute: () => unknown;

  constructor(setup: OperatorSetup, userFunction: UserFunction, private readonly bounded: boolean) {
    super(setup);
    this.instance = instantiate(userFunction, setup.ctx);
    const instance = this.instance as unknown as { execute: () => unknown } | undefined;
    this.execute = instance ? instance.execute.bind(instance) : (userFunction.target as () => unknown);
  }

  override open(): void | Promise<void> {
    return this.instance?.open?.();
  }

  override close(): void | Promise<void> {
    return this.instance?.close?.();
  }

  protected pull(): Pulled | Promise<Pulled> {
    const value = this.execute();
    if (isThenable(value)) return Promise.resolve(value).then((resolved) => this.convert(resolved));
    return this.convert(value);
  }

  private convert(value: unknown): Pulled {
    if (this.bounded && value === undefined) return EXHAUSTED;
    return fromSourceResult(value);
  }
}
