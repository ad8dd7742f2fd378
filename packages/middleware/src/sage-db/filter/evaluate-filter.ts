import type { FieldCondition, FilterNode, FilterScalar } from './filter-node.js';
import type { FieldIndex } from './field-index.js';
import type { MetadataIndex } from './metadata-index.js';
import {
  differenceSorted,
  EMPTY_LABELS,
  intersectManySorted,
  intersectSorted,
  unionManySorted,
  unionSorted,
} from './sorted-labels.js';

/**
 * A partial result: `labels`, or when `negated` every label of the universe except `labels`. Keeping
 * complements symbolic means `$ne`, `$nin`, `$not` and `$exists: false` never build universe-sized sets
 * until the end (`a AND NOT b` is `a \ b`, `NOT a OR NOT b` is `NOT (a AND b)`).
 */
interface LabelResult {
  labels: Uint32Array;
  negated: boolean;
}

/**
 * The labels of `universe` (strictly ascending) whose indexed metadata satisfies the filter, ascending, in
 * a new array. Same answer as testing each label's metadata with `buildMatcher`, provided the index holds
 * the metadata of every label in `universe`.
 */
export function evaluateFilterNode(node: FilterNode, index: MetadataIndex, universe: Uint32Array): Uint32Array {
  const result = evaluateNode(node, index);
  const labels = result.negated ? differenceSorted(universe, result.labels) : intersectSorted(universe, result.labels);
  // Set operations may hand back an input or the shared empty array; the caller gets its own.
  return labels === universe || labels === EMPTY_LABELS ? labels.slice() : labels;
}

function evaluateNode(node: FilterNode, index: MetadataIndex): LabelResult {
  switch (node.kind) {
    case 'and':
      return and(node.children.map((child) => evaluateNode(child, index)));
    case 'or':
      return or(node.children.map((child) => evaluateNode(child, index)));
    case 'not': {
      const inner = evaluateNode(node.child, index);
      return { labels: inner.labels, negated: !inner.negated };
    }
    case 'field': {
      const field = index.field(node.field);
      return and(node.conditions.map((condition) => evaluateCondition(condition, field)));
    }
  }
}

function and(parts: readonly LabelResult[]): LabelResult {
  if (parts.length === 0) return { labels: EMPTY_LABELS, negated: true };
  if (parts.length === 1) return parts[0];
  const included = parts.filter((part) => !part.negated).map((part) => part.labels);
  const excluded = parts.filter((part) => part.negated).map((part) => part.labels);
  if (included.length === 0) return { labels: unionManySorted(excluded), negated: true };
  const kept = intersectManySorted(included);
  if (kept.length === 0 || excluded.length === 0) return { labels: kept, negated: false };
  return { labels: differenceSorted(kept, unionManySorted(excluded)), negated: false };
}

function or(parts: readonly LabelResult[]): LabelResult {
  if (parts.length === 1) return parts[0];
  const included = parts.filter((part) => !part.negated).map((part) => part.labels);
  const excluded = parts.filter((part) => part.negated).map((part) => part.labels);
  if (excluded.length === 0) return { labels: unionManySorted(included), negated: false };
  // (U \ E1) ∪ (U \ E2) ∪ I = U \ ((E1 ∩ E2) \ I)
  const missed = intersectManySorted(excluded);
  return { labels: included.length === 0 ? missed : differenceSorted(missed, unionManySorted(included)), negated: true };
}

function evaluateCondition(condition: FieldCondition, field: FieldIndex | undefined): LabelResult {
  switch (condition.operator) {
    case '$eq':
      return positive(equalLabels(field, condition.value));
    case '$ne':
      return negative(equalLabels(field, condition.value));
    case '$in':
      return positive(inLabels(field, condition.values));
    case '$nin':
      return negative(inLabels(field, condition.values));
    case '$contains':
      return positive(field?.listContains(condition.value) ?? EMPTY_LABELS);
    case '$exists': {
      const present = field?.present() ?? EMPTY_LABELS;
      return condition.value ? positive(present) : negative(present);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (field === undefined) return positive(EMPTY_LABELS);
      const value = condition.value;
      const isLower = condition.operator === '$gt' || condition.operator === '$gte';
      const inclusive = condition.operator === '$gte' || condition.operator === '$lte';
      if (typeof value === 'number') {
        return positive(
          isLower ? field.numberRange(value, inclusive, undefined, false) : field.numberRange(undefined, false, value, inclusive),
        );
      }
      return positive(
        isLower ? field.stringRange(value, inclusive, undefined, false) : field.stringRange(undefined, false, value, inclusive),
      );
    }
  }
}

/** Labels equal to the value; for a string also the lists holding it. */
function equalLabels(field: FieldIndex | undefined, value: FilterScalar): Uint32Array {
  if (field === undefined) return EMPTY_LABELS;
  if (typeof value === 'string') return unionSorted(field.stringEquals(value), field.listContains(value));
  if (typeof value === 'number') return field.numberRange(value, true, value, true);
  return field.booleanEquals(value);
}

function inLabels(field: FieldIndex | undefined, values: readonly FilterScalar[]): Uint32Array {
  if (field === undefined) return EMPTY_LABELS;
  return unionManySorted(values.map((value) => equalLabels(field, value)));
}

function positive(labels: Uint32Array): LabelResult {
  return { labels, negated: false };
}

function negative(labels: Uint32Array): LabelResult {
  return { labels, negated: true };
}
