import type { Logger } from '@sage/common';
import type { FunctionContext, KeyedStateStore, ServiceCallOptions } from '../api/function-context.js';
import type { ServiceCaller } from '../services/service-registry.js';
import { KeyedStateBackend } from './keyed-state.js';

/** The `ctx` of one operator instance. */
export class RuntimeContext implements FunctionContext {
  readonly keyedState: KeyedStateBackend;

  constructor(
    readonly name: string,
    readonly jobName: string,
    readonly parallelIndex: number,
    readonly parallelism: number,
    readonly logger: Logger,
    private readonly services: ServiceCaller,
  ) {
    this.keyedState = new KeyedStateBackend(name);
  }

  get state(): KeyedStateStore {
    return this.keyedState;
  }

  getKey<K = unknown>(): K {
    return this.keyedState.currentKey as K;
  }

  callService<R = unknown>(name: string, options?: ServiceCallOptions): Promise<R> {
    return this.services.call<R>(name, options);
  }
}
