import { invalid } from './errors.js';
import type { RawSettings } from './native-types.js';
import { DEFAULT_PARAMS, type IndexKind, type IndexParams, type Metric, type VectorIndexSettings } from './types.js';

const METRICS: readonly Metric[] = ['l2', 'ip', 'cosine'];
const KINDS: readonly IndexKind[] = ['flat', 'hnsw', 'ivf_flat', 'ivf_pq', 'auto'];

/** [min, max] of every index parameter (the addon checks the same ranges). */
const PARAM_RANGES: Readonly<Record<keyof IndexParams, readonly [number, number]>> = {
  M: [2, 512],
  efConstruction: [1, 1 << 20],
  efSearch: [1, 1 << 20],
  nlist: [0, 1 << 20],
  nprobe: [1, 1 << 20],
  pqM: [1, 65_536],
  pqNbits: [1, 16],
  autoThreshold: [1, 2 ** 31 - 1],
};

export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** Validates settings, fills default parameters and returns the addon's flat settings object. */
export function resolveSettings(settings: VectorIndexSettings): RawSettings {
  if (typeof settings !== 'object' || settings === null) throw invalid('settings must be an object');
  const dimension = checkInteger('dimension', settings.dimension, 1, 65_536);
  if (!METRICS.includes(settings.metric)) {
    throw invalid(`metric must be one of ${METRICS.join(', ')}, got ${String(settings.metric)}`);
  }
  if (!KINDS.includes(settings.kind)) {
    throw invalid(`index kind must be one of ${KINDS.join(', ')}, got ${String(settings.kind)}`);
  }
  const params: IndexParams = { ...DEFAULT_PARAMS };
  for (const [key, value] of Object.entries(settings.params ?? {})) {
    if (!(key in PARAM_RANGES)) throw invalid(`unknown index parameter "${key}"`);
    if (value === undefined) continue;
    const [min, max] = PARAM_RANGES[key as keyof IndexParams];
    params[key as keyof IndexParams] = checkInteger(`index parameter ${key}`, value, min, max);
  }
  if (settings.kind === 'ivf_pq' && dimension % params.pqM !== 0) {
    throw invalid(`ivf_pq: pqM (${params.pqM}) must divide the dimension (${dimension})`);
  }
  return { dimension, metric: settings.metric, kind: settings.kind, ...params };
}
