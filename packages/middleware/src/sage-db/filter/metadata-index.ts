import { ValidationError } from '@sage/common';
import type { Metadata } from '../types.js';
import { FieldIndex } from './field-index.js';
import { LabelSet } from './label-set.js';

const MAX_LABEL = 0xffff_ffff;

/**
 * Inverted indexes over the metadata of a collection, one `FieldIndex` per field, so a filter can be
 * answered with set operations (`CompiledFilter.evaluate`) instead of testing every record. The caller
 * keeps it in step with the records: `add` a label's metadata once, `remove` it with the same metadata
 * before adding new metadata under that label.
 */
export class MetadataIndex {
  private readonly fieldIndexes = new Map<string, FieldIndex>();
  private readonly allLabels = new LabelSet();

  /** Labels indexed. */
  get size(): number {
    return this.allLabels.size;
  }

  has(label: number): boolean {
    return this.allLabels.has(label);
  }

  /** Indexes a label's metadata. A label already indexed is refused: its old values would linger. */
  add(label: number, metadata: Metadata): void {
    if (!Number.isInteger(label) || label < 0 || label > MAX_LABEL) {
      throw new ValidationError(`MetadataIndex: label must be an integer in [0, 2^32 - 1], got ${label}`);
    }
    if (this.allLabels.has(label)) {
      throw new ValidationError(`MetadataIndex: label ${label} is already indexed; remove it before adding new metadata`, {
        details: { label },
      });
    }
    this.allLabels.add(label);
    for (const field of Object.keys(metadata)) {
      const value = metadata[field];
      if (value === undefined) continue;
      let index = this.fieldIndexes.get(field);
      if (index === undefined) {
        index = new FieldIndex();
        this.fieldIndexes.set(field, index);
      }
      index.add(label, value);
    }
  }

  /** Unindexes a label; `metadata` must be what it was added with. An unknown label is ignored. */
  remove(label: number, metadata: Metadata): void {
    if (!this.allLabels.has(label)) return;
    this.allLabels.remove(label);
    for (const field of Object.keys(metadata)) {
      const value = metadata[field];
      const index = this.fieldIndexes.get(field);
      if (value === undefined || index === undefined) continue;
      index.remove(label, value);
      if (index.size === 0) this.fieldIndexes.delete(field);
    }
  }

  /** The index of one field, or undefined when no indexed record has it. */
  field(name: string): FieldIndex | undefined {
    return this.fieldIndexes.get(name);
  }

  /** Every indexed label ascending: a view valid until the next change. Do not modify it. */
  labels(): Uint32Array {
    return this.allLabels.sorted();
  }

  /** Field names that some indexed record has. */
  fieldNames(): string[] {
    return [...this.fieldIndexes.keys()];
  }
}
