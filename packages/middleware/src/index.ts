export { KeyValueService, type KeyValueServiceConfig } from './services/key-value-service.js';
export { type ServiceCaller, type ServiceMethodName, type ServiceProxy, serviceProxy } from './services/service-proxy.js';
