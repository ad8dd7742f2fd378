import type { Logger } from '@sage/common';

/**
 * A long-lived object shared by all operator instances of a job (a model, a database client, a cache).
 * Register it with `env.registerService(name, ServiceClass, config)`; functions call it with
 * `this.callService(name, { method, args, timeout })`. The default method is `process`.
 */
export abstract class BaseService<Config = any> {
  readonly config: Config;
  /** Set by the runtime before `start()`. */
  logger!: Logger;
  /** The name the service was registered under. */
  name!: string;

  constructor(config?: Config) {
    this.config = (config ?? {}) as Config;
  }

  /** Called before the first task starts. */
  start?(): void | Promise<void>;
  /** Called after the last task ends. */
  stop?(): void | Promise<void>;
}

export type ServiceClass<S extends BaseService = BaseService, Config = any> = new (config?: Config) => S;
