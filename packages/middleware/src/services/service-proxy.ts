import type { BaseService, ServiceCallOptions } from '@sage/kernel';

/** Anything that can call a registered service: a function instance (`this`) or its `ctx`. */
export interface ServiceCaller {
  callService<R = unknown>(name: string, options?: ServiceCallOptions): Promise<R>;
}

/** The names of the methods a service adds to `BaseService`. */
export type ServiceMethodName<S extends BaseService> = Exclude<
  { [K in keyof S]-?: S[K] extends (...args: any[]) => unknown ? K : never }[keyof S],
  keyof BaseService
>;

/** A service's methods as seen through `callService`: same arguments, always a promise of the result. */
export type ServiceProxy<S extends BaseService> = {
  readonly [K in ServiceMethodName<S>]: S[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * A typed face of `callService`: `serviceProxy<KeyValueService>(this, 'kv').get('a')` is
 * `this.callService('kv', { method: 'get', args: ['a'] })` with the argument and result types of the
 * service class. Calls go through `caller` when made, so a proxy can be created in a function's
 * constructor and used once the job runs. `timeout` applies to every call.
 */
export function serviceProxy<S extends BaseService>(
  caller: ServiceCaller,
  name: string,
  options: Pick<ServiceCallOptions, 'timeout'> = {},
): ServiceProxy<S> {
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy({} as ServiceProxy<S>, {
    get(_target, property) {
      // `then` must stay undefined, or awaiting the proxy would call a service method named "then".
      if (typeof property !== 'string' || property === 'then') return undefined;
      let method = methods.get(property);
      if (method === undefined) {
        method = (...args: unknown[]) => caller.callService(name, { method: property, args, timeout: options.timeout });
        methods.set(property, method);
      }
      return method;
    },
  });
}
