import { ValidationError } from '@sage/common';
import type { Metadata } from '../types.js';
import { evaluateFilterNode } from './evaluate-filter.js';
import { buildMatcher } from './filter-matcher.js';
import type { FilterNode } from './filter-node.js';
import type { MetadataIndex } from './metadata-index.js';
import { parseFilter } from './parse-filter.js';
import { isStrictlyAscending } from './sorted-labels.js';

/** A filter validated and prepared once, then applied to many records. */
export interface CompiledFilter {
  /** The metadata fields the filter reads, each once, in order of first appearance. */
  readonly fields: string[];
  /** Tests one record by running closures built at compile time; safe to pass around detached. */
  readonly matches: (metadata: Metadata) => boolean;
  /**
   * The labels of `universe` (strictly ascending; default every label in the index) whose metadata
   * matches, ascending, in a new array: the set `matches` would select, found with set operations on the
   * index instead of a scan. The index must hold the metadata of every label in `universe`.
   */
  evaluate(index: MetadataIndex, universe?: Uint32Array): Uint32Array;
}

/**
 * Validates a whole filter (the language of `Filter` in ../types.ts) and compiles it. Throws a
 * `ValidationError` naming the path of the first problem, e.g. `filter.tag.$in: expected a non-empty array`.
 */
export function compileFilter(filter: unknown): CompiledFilter {
  const tree = parseFilter(filter);
  const fields = collectFields(tree, []);
  return {
    fields,
    matches: buildMatcher(tree),
    evaluate(index, universe) {
      if (universe === undefined) return evaluateFilterNode(tree, index, index.labels());
      if (!(universe instanceof Uint32Array) || !isStrictlyAscending(universe)) {
        throw new ValidationError('CompiledFilter.evaluate: universe must be a Uint32Array of strictly ascending labels');
      }
      return evaluateFilterNode(tree, index, universe);
    },
  };
}

function collectFields(node: FilterNode, fields: string[]): string[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const child of node.children) collectFields(child, fields);
      break;
    case 'not':
      collectFields(node.child, fields);
      break;
    case 'field':
      if (!fields.includes(node.field)) fields.push(node.field);
      break;
  }
  return fields;
}
