// Windowing core, experimental: the window operator behind `keyBy(...).window(...)` and `windowAll(...)`.
export {
  countWindow,
  EventTimeSessionWindows,
  GlobalWindows,
  MergingWindowAssigner,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WindowAssigner,
  type WindowAssignerContext,
  type WindowSpec,
} from './assigners.js';
export {
  type BuiltInAggregate,
  type BuiltInAggregateKind,
  builtInAggregateOf,
  Count,
  cosineSimilarity,
  type FieldSelector,
  Max,
  Mean,
  Min,
  Sum,
  TopK,
  type TopKItem,
  VectorMean,
  VectorSum,
} from './built-in-aggregates.js';
export { CountEvictor, type Evictor, type EvictorContext, TimeEvictor } from './evictors.js';
export {
  ContinuousEventTimeTrigger,
  CountTrigger,
  EventTimeTrigger,
  NeverTrigger,
  type OnMergeContext,
  ProcessingTimeTrigger,
  PurgingTrigger,
  Trigger,
  type TriggerContext,
  TriggerResult,
} from './triggers.js';
export {
  BoundedOutOfOrdernessWatermarks,
  type TimestampAssigner,
  TimestampsAndWatermarks,
  WatermarkCombiner,
  type WatermarkGenerator,
  type WatermarkGeneratorContext,
  type WatermarkOutput,
  WatermarkStrategy,
  WatermarksWithIdleness,
} from './watermarks.js';
export { GlobalWindow, MAX_WATERMARK, MIN_WATERMARK, type TimestampedValue, TimeWindow, type Window } from './window.js';
export {
  type AggregateFunction,
  type Collector,
  type ProcessWindowContext,
  ProcessWindowFunction,
  type ReduceFunction,
  type WindowFunction,
  WindowFunctions,
} from './window-functions.js';
export { type SimilarPair, SimilarityJoinOperator, type SimilarityJoinOptions, type SimilarityJoinSpec } from './similarity-join.js';
export { type SimilarityJoinEngine, type SimilarityJoinResult, TypeScriptSimilarityJoin } from './similarity-join-engine.js';
export { NativeWindowOperator, type NativeWindowOperatorOptions } from './native-window-operator.js';
export { chooseWindowEngine, type NativeWindowPlan, type WindowEngineChoice } from './window-engine-choice.js';
export { WindowOperator, type WindowOperatorOptions, type WindowOperatorOutput } from './window-operator.js';
export { AlignedWindowOperator, alignedWindowRefusal } from './aligned-window-operator.js';
export { SessionWindowOperator, sessionWindowRefusal } from './session-window-operator.js';
export { type SpecializedWindowOperator, specializedWindowOperator } from './specialized-window-operator.js';
export { type StreamRecord, WindowOperatorTestHarness } from './window-operator-test-harness.js';
