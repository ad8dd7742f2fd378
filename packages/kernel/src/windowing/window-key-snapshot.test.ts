import { describe, expect, it } from 'vitest';
import { fromWire, toWire } from '../distributed/remote/wire-value.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { countWindow, EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows } from './assigners.js';
import { Count, VectorSum } from './built-in-aggregates.js';
import { MAX_WATERMARK, type Window } from './window.js';
import { type Collector, type ProcessWindowContext, ProcessWindowFunction, type WindowFunction, WindowFunctions } from './window-functions.js';
import { type WindowKeySnapshot, windowFromId } from './window-key-snapshot.js';
import { specializedWindowOperator } from './specialized-window-operator.js';
import { WindowOperator, type WindowOperatorOptions } from './window-operator.js';

interface Event {
  user: string;
  ts: number;
  vector: Float32Array;
}

class Describe extends ProcessWindowFunction<Event, string, string, Window> {
  process(key: string, context: ProcessWindowContext<Window>, elements: readonly Event[], out: Collector<string>): void {
    out.collect(`${key}@${context.window.id}:${elements.map((event) => event.ts).join('+')}`);
  }
}

/** Seeded events: four users, out of order by up to 3 s, with 2-d vectors. */
function events(count: number): Event[] {
  let seed = 7;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  return Array.from({ length: count }, (_, i) => ({ user: `u${Math.floor(next() * 4)}`, ts: i * 400 + Math.floor(next() * 3_000), vector: new Float32Array([i % 5, 1]) }));
}

type Spec = Omit<WindowOperatorOptions<Event, unknown, string, Window>, 'name' | 'output' | 'clock' | 'keySelector'>;

const SPECS: Array<[string, Spec]> = [
  ['tumbling count with allowed lateness', { assigner: TumblingEventTimeWindows.of(5_000), allowedLateness: 2_000, function: WindowFunctions.aggregate(Count) as WindowFunction<Event, unknown, string, Window> }],
  ['sliding vector sum', { assigner: SlidingEventTimeWindows.of(6_000, 2_000), function: WindowFunctions.aggregate(VectorSum.of<Event>('vector')) as WindowFunction<Event, unknown, string, Window> }],
  ['session process function', { assigner: EventTimeSessionWindows.withGap(1_500), function: WindowFunctions.process(new Describe()) as WindowFunction<Event, unknown, string, Window> }],
  ['count window with slide (trigger state, evictor)', { ...countWindow(5, 2), function: WindowFunctions.process(new Describe()) as WindowFunction<Event, unknown, string, Window> }],
];

const SESSION_AGGREGATE: Array<[string, Spec]> = [
  ['session count with allowed lateness', { assigner: EventTimeSessionWindows.withGap(1_500), allowedLateness: 2_500, function: WindowFunctions.aggregate(Count) as WindowFunction<Event, unknown, string, Window> }],
];

/** `general` is `WindowOperator`; `specialized` what a job runs (aligned tables, session lists, else the general core). */
type Engine = 'general' | 'specialized';

/**
 * Runs `events` through an operator of engine `before`; between `cut` and the rest, optionally moves its state
 * to a fresh one of engine `after`.
 */
function run(spec: Spec, input: Event[], cut: number | undefined, before: Engine = 'general', after: Engine = before): unknown[] {
  const results: unknown[] = [];
  const make = (engine: Engine) => {
    const options: WindowOperatorOptions<Event, unknown, string, Window> = {
      ...spec,
      name: 'w',
      keySelector: (event) => event.user,
      clock: new VirtualClock(),
      trackChanges: true,
      output: { collect: (record, timestamp) => results.push([record instanceof Float32Array ? [...record] : record, timestamp]) },
    };
    return (engine === 'specialized' ? specializedWindowOperator(options) : undefined) ?? new WindowOperator(options);
  };
  let operator = make(before);
  let watermark = Number.MIN_SAFE_INTEGER;
  const saved = new Map<string, unknown>();
  input.forEach((event, index) => {
    if (index === cut) {
      // What a worker commits, in the wire format Redis holds; the next owner starts from it.
      for (const [keyId, snapshot] of operator.takeKeyChanges()) saved.set(keyId, snapshot);
      const restored = make(after);
      const fromRedis = [...saved.values()]
        .filter((snapshot) => snapshot !== undefined)
        .map((snapshot) => fromWire(JSON.parse(JSON.stringify(toWire(snapshot, (reason) => new Error(reason))))) as WindowKeySnapshot);
      restored.restoreKeys(fromRedis, watermark);
      operator = restored;
    } else if (index % 7 === 0) {
      for (const [keyId, snapshot] of operator.takeKeyChanges()) saved.set(keyId, snapshot);
    }
    operator.processElement(event, event.ts);
    if (index % 5 === 4) {
      watermark = Math.max(watermark, event.ts - 3_001);
      operator.processWatermark(watermark);
    }
  });
  operator.processWatermark(MAX_WATERMARK);
  return results;
}

describe('window state as plain data (a partition that moves to another worker)', () => {
  it.each(SPECS)('%s: a fresh operator restored from the snapshots continues with the same results', (_name, spec) => {
    const input = events(300);
    const undisturbed = run(spec, input, undefined);
    expect(undisturbed.length).toBeGreaterThan(10);
    for (const cut of [1, 97, 150, 299]) expect(run(spec, input, cut), `moved before event ${cut}`).toEqual(undisturbed);
  });

  it.each(SPECS.slice(0, 2).concat(SESSION_AGGREGATE))('%s: the specialized operator gives and takes the general core\'s snapshots', (_name, spec) => {
    const input = events(300);
    const undisturbed = run(spec, input, undefined);
    expect(run(spec, input, undefined, 'specialized')).toEqual(undisturbed);
    for (const [before, after] of [['specialized', 'specialized'], ['general', 'specialized'], ['specialized', 'general']] as const) {
      for (const cut of [1, 97, 150, 299]) expect(run(spec, input, cut, before, after), `${before} -> ${after} before event ${cut}`).toEqual(undisturbed);
    }
  });

  it('names the operator for a window it cannot rebuild', () => {
    expect(windowFromId('w', '10,20')).toMatchObject({ start: 10, end: 20 });
    expect(() => windowFromId('w', 'custom-7')).toThrow('window operator "w" cannot restore window "custom-7"');
  });
});
