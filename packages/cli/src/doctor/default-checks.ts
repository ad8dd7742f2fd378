/** The checks `sage doctor` runs, in report order. */
import { createConfigFileCheck } from './config-file-check.js';
import type { DoctorCheck } from './doctor-check.js';
import { createEmbeddingModelCheck } from './embedding-model-check.js';
import { createNativeAddonCheck } from './native-addon-check.js';
import { NATIVE_ADDONS } from './native-addons.js';
import { createNodeVersionCheck } from './node-version-check.js';
import { createPnpmCheck } from './pnpm-check.js';
import { createRedisCheck } from './redis-check.js';

export function createDefaultChecks(): DoctorCheck[] {
  return [
    createNodeVersionCheck(),
    createPnpmCheck(),
    createConfigFileCheck(),
    ...NATIVE_ADDONS.map(createNativeAddonCheck),
    createRedisCheck(),
    createEmbeddingModelCheck(),
  ];
}
