import { ValidationError } from '@sage/common';
import type { UserFunction } from '../runtime/operators/function-instance.js';
import { type BaseFunction, isFunctionClass } from './functions.js';
import type { OperatorOptions } from './operator-options.js';

/**
 * Reads the arguments of an operator call. The last argument is always the options object:
 * `op(fn, options?)` for a plain function, `op(FunctionClass, config?, options?)` for a class.
 */
export function parseCall(
  where: string,
  expectedBase: abstract new (...args: any[]) => BaseFunction,
  target: unknown,
  second: unknown,
  third: unknown,
): { userFunction: UserFunction; options: OperatorOptions | undefined } {
  if (isFunctionClass(target)) {
    if (!(target.prototype instanceof expectedBase)) {
      throw new ValidationError(`${where}: ${target.name} must extend ${expectedBase.name}`);
    }
    return { userFunction: { target, config: second }, options: third as OperatorOptions | undefined };
  }
  if (typeof target === 'function') {
    if (third !== undefined) {
      throw new ValidationError(
        `${where}: a plain function takes (fn, options); a config object is only for function classes`,
      );
    }
    return { userFunction: { target: target as (...args: any[]) => unknown, config: undefined }, options: second as OperatorOptions | undefined };
  }
  throw new ValidationError(`${where}: expected a function or a ${expectedBase.name} class, got ${describe(target)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
