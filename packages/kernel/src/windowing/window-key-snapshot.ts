/**
 * The window state of one key as plain data, so that a worker can commit it to Redis with each batch and the
 * next owner of the partition can continue from it: contents and trigger state per window, the session
 * windows' merge mapping, and the key's timers. Windows are written as their ids and rebuilt from them, which
 * holds for the built-in windows (`TimeWindow`, `GlobalWindow`).
 */
import { PipelineError } from '@sage/common';
import { GlobalWindow, TimeWindow, type TimestampedValue, type Window } from './window.js';

/** Either the elements (process functions, evictors) or one accumulator, kept per key and state window. */
export type WindowContents<In> = { elements: TimestampedValue<In>[] } | { accumulator: unknown };

export interface WindowKeySnapshot {
  key: unknown;
  /** State window id -> contents. */
  contents: Array<[string, WindowContents<unknown>]>;
  /** Window id -> trigger state (name -> value). */
  triggerState: Array<[string, Array<[string, unknown]>]>;
  /** Session windows: in-flight window id -> state window id. */
  merging?: Array<[string, string]>;
  /** Window id -> timestamps. */
  eventTimers: Array<[string, number[]]>;
  processingTimers: Array<[string, number[]]>;
}

/** The built-in window with this id; `operator` names the window operator in the error for any other. */
export function windowFromId(operator: string, id: string): Window {
  if (id === GlobalWindow.INSTANCE.id) return GlobalWindow.INSTANCE;
  const [start, end, rest] = id.split(',');
  if (rest === undefined && start !== undefined && end !== undefined) {
    const window = new TimeWindow(Number(start), Number(end));
    if (window.id === id) return window;
  }
  throw new PipelineError(`window operator "${operator}" cannot restore window "${id}" on another worker: only TimeWindow and GlobalWindow are kept in Redis`);
}
