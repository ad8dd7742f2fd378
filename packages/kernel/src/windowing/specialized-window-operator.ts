import { AlignedWindowOperator, alignedWindowRefusal } from './aligned-window-operator.js';
import { SessionWindowOperator, sessionWindowRefusal } from './session-window-operator.js';
import type { Window } from './window.js';
import type { WindowOperatorOptions } from './window-operator.js';

export type SpecializedWindowOperator<In, Out, Key> = AlignedWindowOperator<In, Out, Key> | SessionWindowOperator<In, Out, Key>;

/**
 * The specialized TypeScript operator for the window, when there is one: the aligned tables for event-time
 * tumbling and sliding aggregates, the session lists for event-time session aggregates (both with the default
 * trigger and no evictor). `undefined` leaves the window to the general core (`WindowOperator`).
 */
export function specializedWindowOperator<In, Out, Key>(options: WindowOperatorOptions<In, Out, Key, Window>): SpecializedWindowOperator<In, Out, Key> | undefined {
  if (alignedWindowRefusal(options) === undefined) return new AlignedWindowOperator(options);
  if (sessionWindowRefusal(options) === undefined) return new SessionWindowOperator(options);
  return undefined;
}
