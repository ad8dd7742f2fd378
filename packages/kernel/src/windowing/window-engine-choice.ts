import { ValidationError } from '@sage/common';
import type { SageFlowNative, WindowAggregateConfig, WindowAssignerConfig } from '@sage/sage-flow-native';
import { EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, type WindowAssigner } from './assigners.js';
import { type BuiltInAggregate, builtInAggregateOf } from './built-in-aggregates.js';
import type { Evictor } from './evictors.js';
import { loadSageFlow } from './sage-flow.js';
import { EventTimeTrigger, type Trigger } from './triggers.js';
import type { Window } from './window.js';
import type { ProcessWindowFunction, WindowFunction } from './window-functions.js';

/** Which engine runs a window operator: the C++ engine of `@sage/sage-flow-native` or the TypeScript core. */
export type WindowEngineChoice = 'auto' | 'native' | 'typescript';

const CHOICES: readonly WindowEngineChoice[] = ['auto', 'native', 'typescript'];

/** What the native engine needs to run one window operator. */
export interface NativeWindowPlan {
  native: SageFlowNative;
  assigner: WindowAssignerConfig;
  aggregate: WindowAggregateConfig;
  /** The field the aggregate reads; `undefined` for the element itself. */
  field: PropertyKey | undefined;
  /** The aggregate's name in errors (`Sum`, `VectorMean`, ...). */
  aggregateName: string;
  /** Called with the key, the window and the aggregate's result of each fired window (Flink's `aggregate(agg, process)`). */
  process?: ProcessWindowFunction<any, any, any, any>;
}

export interface WindowEngineSpec {
  assigner: WindowAssigner<Window>;
  trigger?: Trigger<any, Window>;
  evictor?: Evictor<any, Window>;
  function: WindowFunction<any, any, any, Window>;
}

const NAMES: Record<BuiltInAggregate['kind'], string> = {
  count: 'Count',
  sum: 'Sum',
  min: 'Min',
  max: 'Max',
  mean: 'Mean',
  vectorSum: 'VectorSum',
  vectorMean: 'VectorMean',
  topK: 'TopK',
};

/**
 * Decides where a window operator runs. `auto` (the default) picks the native engine when its addon loads and
 * the operator is an event-time tumbling, sliding or session window with the default trigger, no evictor and a
 * built-in aggregate whose selector is absent or a field name (optionally followed by a process window function, which
 * runs in TypeScript with each fired window's key, window and result); `native` requires all of that and otherwise
 * throws a `ValidationError` saying what stands in the way; `typescript` always runs the TypeScript core.
 */
export function chooseWindowEngine(where: string, choice: unknown, spec: WindowEngineSpec): NativeWindowPlan | undefined {
  if (choice === undefined || choice === 'typescript') return undefined;
  if (!CHOICES.includes(choice as WindowEngineChoice)) {
    throw new ValidationError(`${where}: option "engine" must be 'auto', 'native' or 'typescript', got ${String(choice)}`, { details: { operator: where } });
  }
  const plan = nativePlan(spec);
  if (typeof plan === 'string') {
    if (choice === 'native') {
      throw new ValidationError(`${where}: engine 'native' cannot run this window: ${plan}`, { details: { operator: where, engine: 'native' } });
    }
    return undefined;
  }
  return plan;
}

/** The plan, or why the native engine cannot run the window. */
function nativePlan(spec: WindowEngineSpec): NativeWindowPlan | string {
  const assigner = assignerConfig(spec.assigner);
  if (assigner === undefined) return `${spec.assigner.name} is not an event-time tumbling, sliding or session window`;
  if (spec.trigger !== undefined && !(spec.trigger instanceof EventTimeTrigger)) return `a custom trigger (${spec.trigger.constructor.name}) runs in TypeScript only`;
  if (spec.evictor !== undefined) return 'evictors run in TypeScript only';
  const windowFunction = spec.function;
  if (windowFunction.kind !== 'aggregate') return 'process window functions run in TypeScript only';
  const builtIn = builtInAggregateOf(windowFunction.aggregate);
  if (builtIn === undefined) return 'only built-in aggregates (Count, Sum, Min, Max, Mean, VectorSum, VectorMean, TopK) run natively, not reduce or a custom AggregateFunction';
  if (typeof builtIn.field === 'function') return `${NAMES[builtIn.kind]} reads its value through a function; give a field name instead`;
  const loaded = loadSageFlow();
  if (!('native' in loaded)) return loaded.reason;
  const aggregate: WindowAggregateConfig =
    builtIn.kind === 'topK' ? { kind: 'topK', k: builtIn.k!, query: builtIn.query! } : ({ kind: builtIn.kind } as WindowAggregateConfig);
  return {
    native: loaded.native,
    assigner,
    aggregate,
    field: builtIn.field as PropertyKey | undefined,
    aggregateName: NAMES[builtIn.kind],
    process: windowFunction.process,
  };
}

function assignerConfig(assigner: WindowAssigner<Window>): WindowAssignerConfig | undefined {
  if (assigner instanceof TumblingEventTimeWindows) return { kind: 'tumbling', size: assigner.size, offset: assigner.offset };
  if (assigner instanceof SlidingEventTimeWindows) return { kind: 'sliding', size: assigner.size, slide: assigner.slide, offset: assigner.offset };
  if (assigner instanceof EventTimeSessionWindows) return { kind: 'session', gap: assigner.gap };
  return undefined;
}
