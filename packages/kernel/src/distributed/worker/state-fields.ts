/**
 * The fields of a partition's state hash. Keyed state (`ctx.state`) has one field per key, named by the key's
 * JSON (`"user-1"`, `12`, `true`, `undefined`), so no key can start with `#`: the partition's combined watermark
 * (`#watermarks`) and what its operator keeps beyond `ctx.state` (window contents, `#w:<key id>`) use that.
 */
import { PipelineError } from '@sage/common';
import type { DurableChange } from '../../runtime/stream-operator.js';
import type { WatermarkCombinerSnapshot } from '../../windowing/watermarks.js';
import { fromWire, toWire } from '../remote/wire-value.js';

const WATERMARKS_FIELD = '#watermarks';

export interface PartitionStateFields {
  keyed: Record<string, string>;
  watermarks: WatermarkCombinerSnapshot | undefined;
  operator: Array<[string, unknown]>;
}

export function splitStateFields(fields: Readonly<Record<string, string>>): PartitionStateFields {
  const split: PartitionStateFields = { keyed: {}, watermarks: undefined, operator: [] };
  for (const [field, value] of Object.entries(fields)) {
    if (field === WATERMARKS_FIELD) split.watermarks = JSON.parse(value) as WatermarkCombinerSnapshot;
    else if (field.startsWith('#')) split.operator.push([field, fromWire(JSON.parse(value))]);
    else split.keyed[field] = value;
  }
  return split;
}

/** The combined watermark as a hash change: `[field, JSON]`. */
export function watermarksField(snapshot: WatermarkCombinerSnapshot): [string, string] {
  return [WATERMARKS_FIELD, JSON.stringify(snapshot)];
}

/** An operator's durable changes as hash changes: `[field, JSON]`, or `[field, '']` to delete. */
export function operatorFields(operator: string, changes: readonly DurableChange[]): string[] {
  const refuse = (reason: string, path: string) =>
    new PipelineError(`operator "${operator}" keeps window state that cannot be stored in Redis: ${reason}${path === '' ? '' : ` (at ${path})`}`);
  return changes.flatMap(([field, value]) => [field, value === undefined ? '' : JSON.stringify(toWire(value, refuse))]);
}
