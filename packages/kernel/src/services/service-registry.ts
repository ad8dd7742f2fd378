import {
  type Logger,
  ServiceError,
  ServiceNotFoundError,
  ServiceTimeoutError,
  ValidationError,
} from '@sage/common';
import type { ServiceCallOptions } from '../api/function-context.js';
import type { Clock } from '../runtime/clock.js';
import type { BaseService, ServiceClass } from './base-service.js';

export interface ServiceDefinition {
  name: string;
  serviceClass: ServiceClass;
  config: unknown;
}

export const DEFAULT_SERVICE_TIMEOUT_MS = 10_000;

/** What `ctx.callService` calls: the services themselves in this process, or a client of them elsewhere. */
export interface ServiceCaller {
  call<R>(name: string, options?: ServiceCallOptions): Promise<R>;
}

/** The services of one running job, in this process. */
export class ServiceRegistry implements ServiceCaller {
  private readonly instances = new Map<string, BaseService>();

  constructor(
    private readonly definitions: readonly ServiceDefinition[],
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (const definition of this.definitions) {
      const service = new definition.serviceClass(definition.config);
      service.name = definition.name;
      service.logger = this.logger.child({ service: definition.name });
      try {
        await service.start?.();
      } catch (cause) {
        throw new ServiceError(`service "${definition.name}" failed to start: ${String(cause)}`, { cause });
      }
      this.instances.set(definition.name, service);
    }
  }

  /** Stops services in reverse start order; failures are logged, not thrown, so every service gets stopped. */
  async stop(): Promise<void> {
    for (const [name, service] of [...this.instances].reverse()) {
      try {
        await service.stop?.();
      } catch (error) {
        this.logger.error({ err: error, service: name }, 'service failed to stop');
      }
    }
    this.instances.clear();
  }

  call<R>(name: string, options: ServiceCallOptions = {}): Promise<R> {
    const service = this.instances.get(name);
    if (service === undefined) return Promise.reject(new ServiceNotFoundError(name, [...this.instances.keys()]));
    const method = options.method ?? 'process';
    const target = (service as unknown as Record<string, unknown>)[method];
    if (typeof target !== 'function') {
      return Promise.reject(new ValidationError(`service "${name}" has no method "${method}"`));
    }
    const timeout = options.timeout ?? DEFAULT_SERVICE_TIMEOUT_MS;
    const call = Promise.resolve().then(() => target.apply(service, options.args ?? []) as R);
    return new Promise<R>((resolve, reject) => {
      const cancel = this.clock.schedule(timeout, () => reject(new ServiceTimeoutError(name, method, timeout)));
      call.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (error) => {
          cancel();
          reject(error);
        },
      );
    });
  }
}
