import { type BaseFunction, type FunctionClass, isFunctionClass } from '../../api/functions.js';
import type { RuntimeContext } from '../runtime-context.js';

/** A user function as given to the API: a function class with its config, or a plain function. */
export interface UserFunction {
  target: FunctionClass | ((...args: any[]) => unknown);
  config: unknown;
}

/** Creates this instance's own copy of a function class (plain functions are shared) and gives it `ctx`. */
export function instantiate(userFunction: UserFunction, ctx: RuntimeContext): BaseFunction | undefined {
  if (!isFunctionClass(userFunction.target)) return undefined;
  const instance = new userFunction.target(userFunction.config);
  instance.ctx = ctx;
  return instance;
}
