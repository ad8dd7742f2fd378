/**
 * @sage/sage-flow-native: the sage_flow window engine (C++ core + node-addon-api binding).
 *
 *   const native = loadSageFlowNative();          // throws SAGE_NATIVE with the build command if missing
 *   const engine = native.createWindowEngine({ assigner: { kind: 'tumbling', size: 10_000 }, aggregate: { kind: 'count' } });
 *   engine.processBatch({ count, keys, timestamps });   // typed arrays, one call per batch
 *   const fired = engine.processWatermark(watermark);
 *   const join = native.createSimilarityJoin({ size: 10_000, threshold: 0.9 });   // pairs of two embedding streams
 */
import { invalid, isSageFlowError } from './errors.js';
import { loadRawSageFlowNative } from './loader.js';
import { SimilarityJoin, type SimilarityJoinConfig, toJoinConfig } from './similarity-join.js';
import { toRawConfig, WindowEngine, type WindowEngineConfig } from './window-engine.js';

export { invalid, isSageFlowError, SageFlowError, type SageFlowErrorCode } from './errors.js';
export { BUILD_COMMAND, isSageFlowNativeBuilt, sageFlowNativePath } from './loader.js';
export type { RawJoinResult as SimilarityJoinResult } from './native-types.js';
export { SimilarityJoin, type SimilarityJoinConfig } from './similarity-join.js';
export {
  readsVectors,
  type ScalarAggregateKind,
  type TopKItem,
  type VectorAggregateKind,
  type WindowAggregateConfig,
  type WindowAssignerConfig,
  type WindowBatch,
  type WindowBatchResult,
  WindowEngine,
  type WindowEngineConfig,
  type WindowResultValue,
} from './window-engine.js';

export interface SageFlowNative {
  readonly napiVersion: number;
  /** A keyed window engine; a bad configuration throws a `SageFlowError` (SAGE_FLOW_INVALID) naming the field. */
  createWindowEngine(config: WindowEngineConfig): WindowEngine;
  /** A windowed similarity join of two streams of embeddings; a bad configuration throws a `SageFlowError`. */
  createSimilarityJoin(config: SimilarityJoinConfig): SimilarityJoin;
}

/** Loads the addon (once). Throws a `SageFlowError` with code `SAGE_NATIVE` when it is missing or does not load. */
export function loadSageFlowNative(): SageFlowNative {
  const raw = loadRawSageFlowNative();
  return {
    napiVersion: raw.napiVersion,
    createWindowEngine(config) {
      const rawConfig = toRawConfig(config);
      try {
        return new WindowEngine(new raw.NativeWindowEngine(rawConfig), config);
      } catch (error) {
        if (isSageFlowError(error)) throw invalid(`createWindowEngine: ${error.message}`);
        throw error;
      }
    },
    createSimilarityJoin(config) {
      const rawConfig = toJoinConfig(config);
      try {
        return new SimilarityJoin(new raw.NativeSimilarityJoin(rawConfig));
      } catch (error) {
        if (isSageFlowError(error)) throw invalid(`createSimilarityJoin: ${error.message}`);
        throw error;
      }
    },
  };
}
