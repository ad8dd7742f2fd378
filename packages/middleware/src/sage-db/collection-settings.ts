import { ValidationError } from '@sage/common';
import { type CollectionOptions, DEFAULT_INDEX_PARAMS, type IndexKind, type IndexParams, type Metric } from './types.js';
import type { BackendSettings } from './vector-index-backend.js';

const METRICS: readonly Metric[] = ['l2', 'ip', 'cosine'];
const INDEX_KINDS: readonly IndexKind[] = ['flat', 'hnsw', 'ivf_flat', 'ivf_pq', 'auto'];
const MAX_DIMENSION = 65_536;

/** Checks collection options and fills in the defaults (cosine metric, auto index, documented params). */
export function resolveCollectionSettings(where: string, options: CollectionOptions): BackendSettings {
  if (options === null || typeof options !== 'object') throw new ValidationError(`${where}: options must be an object`);
  const { dimension } = options;
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    throw new ValidationError(`${where}: dimension must be an integer from 1 to ${MAX_DIMENSION}, got ${String(dimension)}`);
  }
  const metric = options.metric ?? 'cosine';
  if (!METRICS.includes(metric)) throw new ValidationError(`${where}: unknown metric "${String(metric)}" (known: ${METRICS.join(', ')})`);
  const kind = options.index ?? 'auto';
  if (!INDEX_KINDS.includes(kind)) throw new ValidationError(`${where}: unknown index "${String(kind)}" (known: ${INDEX_KINDS.join(', ')})`);
  const params: IndexParams = { ...DEFAULT_INDEX_PARAMS };
  for (const [key, value] of Object.entries(options.indexParams ?? {})) {
    if (!(key in DEFAULT_INDEX_PARAMS)) {
      throw new ValidationError(`${where}: unknown index parameter "${key}" (known: ${Object.keys(DEFAULT_INDEX_PARAMS).join(', ')})`);
    }
    const minimum = key === 'nlist' ? 0 : 1;
    if (!Number.isInteger(value) || (value as number) < minimum) {
      throw new ValidationError(`${where}: index parameter ${key} must be an integer >= ${minimum}, got ${String(value)}`);
    }
    params[key as keyof IndexParams] = value as number;
  }
  if (kind === 'ivf_pq' && dimension % params.pqM !== 0) {
    throw new ValidationError(`${where}: ivf_pq needs pqM (${params.pqM}) to divide the dimension (${dimension})`);
  }
  if (kind === 'ivf_pq' && params.pqNbits > 16) throw new ValidationError(`${where}: pqNbits must be at most 16`);
  return { dimension, metric, kind, params };
}
