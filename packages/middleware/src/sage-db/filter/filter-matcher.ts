import type { Metadata } from '../types.js';
import type { FieldCondition, FilterNode } from './filter-node.js';

/** Tests one record's metadata. Safe to pass around detached (`records.filter(matcher)`). */
export type MetadataMatcher = (metadata: Metadata) => boolean;

type ValueTest = (value: unknown) => boolean;

/**
 * Turns a filter tree into nested closures once, so matching a record does no parsing or lookups beyond
 * reading the fields. Semantics (shared with `evaluateFilterNode`, which must agree exactly):
 * - a field is missing when the record has no own property of that name, or its value is `undefined`;
 *   a missing field fails every operator except `$ne`, `$nin` and `$exists: false`;
 * - `$eq`/`$ne` on a list of strings: the list contains / does not contain the value;
 * - `$in`/`$nin` on a list: some item is / no item is one of the values;
 * - `$contains`: the field is a list holding the string (a plain string field never "contains");
 * - `$gt`… compare numbers with numbers and strings with strings (UTF-16 code unit order, as JavaScript's
 *   `<`); any other pairing is false;
 * - equality is strict: `1` is not `"1"` nor `true`; lists hold strings only, other items never match.
 */
export function buildMatcher(node: FilterNode): MetadataMatcher {
  switch (node.kind) {
    case 'and':
      return allOf(node.children.map(buildMatcher));
    case 'or':
      return anyOf(node.children.map(buildMatcher));
    case 'not': {
      const inner = buildMatcher(node.child);
      return (metadata) => !inner(metadata);
    }
    case 'field': {
      const read = fieldReader(node.field);
      const tests = node.conditions.map(buildValueTest);
      if (tests.length === 1) {
        const test = tests[0];
        return (metadata) => test(read(metadata));
      }
      return (metadata) => {
        const value = read(metadata);
        for (const test of tests) if (!test(value)) return false;
        return true;
      };
    }
  }
}

function allOf(parts: MetadataMatcher[]): MetadataMatcher {
  if (parts.length === 0) return () => true;
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [first, second] = parts;
    return (metadata) => first(metadata) && second(metadata);
  }
  return (metadata) => {
    for (const part of parts) if (!part(metadata)) return false;
    return true;
  };
}

function anyOf(parts: MetadataMatcher[]): MetadataMatcher {
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [first, second] = parts;
    return (metadata) => first(metadata) || second(metadata);
  }
  return (metadata) => {
    for (const part of parts) if (part(metadata)) return true;
    return false;
  };
}

/**
 * Plain property access is the fast path; names that also exist on `Object.prototype` (`constructor`,
 * `toString`, `__proto__`…) are read as own properties only, so an absent `constructor` stays missing.
 */
function fieldReader(field: string): (metadata: Metadata) => unknown {
  if (field in Object.prototype || field === '__proto__') {
    return (metadata) => (Object.hasOwn(metadata, field) ? metadata[field] : undefined);
  }
  return (metadata) => metadata[field];
}

function buildValueTest(condition: FieldCondition): ValueTest {
  switch (condition.operator) {
    case '$eq':
      return equalsTest(condition.value);
    case '$ne': {
      const equals = equalsTest(condition.value);
      return (value) => !equals(value);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return comparisonTest(condition.operator, condition.value);
    case '$in':
      return inTest(condition.values);
    case '$nin': {
      const isIn = inTest(condition.values);
      return (value) => !isIn(value);
    }
    case '$contains': {
      const item = condition.value;
      return (value) => Array.isArray(value) && value.includes(item);
    }
    case '$exists':
      return condition.value ? (value) => value !== undefined : (value) => value === undefined;
  }
}

function equalsTest(expected: string | number | boolean): ValueTest {
  if (typeof expected === 'string') return (value) => value === expected || (Array.isArray(value) && value.includes(expected));
  return (value) => value === expected;
}

function inTest(values: readonly (string | number | boolean)[]): ValueTest {
  const accepted = new Set<unknown>(values);
  return (value) => {
    if (!Array.isArray(value)) return accepted.has(value);
    for (const item of value) if (typeof item === 'string' && accepted.has(item)) return true;
    return false;
  };
}

function comparisonTest(operator: '$gt' | '$gte' | '$lt' | '$lte', bound: number | string): ValueTest {
  const type = typeof bound;
  switch (operator) {
    case '$gt':
      return (value) => typeof value === type && (value as number | string) > bound;
    case '$gte':
      return (value) => typeof value === type && (value as number | string) >= bound;
    case '$lt':
      return (value) => typeof value === type && (value as number | string) < bound;
    case '$lte':
      return (value) => typeof value === type && (value as number | string) <= bound;
  }
}
