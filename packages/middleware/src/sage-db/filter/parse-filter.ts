import { formatKeyPath, truncateForMessage, ValidationError } from '@sage/common';
import { closestName } from './closest-name.js';
import {
  type ComparisonOperator,
  FIELD_OPERATORS,
  type FieldCondition,
  type FilterNode,
  type FilterScalar,
  LOGICAL_OPERATORS,
} from './filter-node.js';

type KeyPath = Array<string | number>;

/** Deeper nesting is refused rather than risking a stack overflow on a hostile filter. */
export const MAX_FILTER_DEPTH = 32;

const ROOT: KeyPath = ['filter'];
const SCALAR = 'a string, a finite number or a boolean';
const VALUE_OR_OPERATORS = 'a value (string, finite number or boolean) or an object of operators';

/**
 * Validates a whole filter expression and returns its tree. Every problem is a `ValidationError` whose
 * message starts with the path inside the expression, e.g. `filter.$or[1].year.$gte: expected a number,
 * got "2020"`; `details.path` holds the same path.
 *
 * Keys starting with `$` are operators; every other key is a metadata field, so fields cannot be named
 * `$…`. An empty object matches every record. Values are never coerced: `"2020"` is a string, not a year.
 */
export function parseFilter(filter: unknown): FilterNode {
  return parseFilterObject(filter, ROOT, 0);
}

function parseFilterObject(value: unknown, path: KeyPath, depth: number): FilterNode {
  if (!isPlainObject(value)) fail(path, `expected a filter object, got ${show(value)}`);
  if (depth > MAX_FILTER_DEPTH) fail(path, `nested deeper than ${MAX_FILTER_DEPTH} levels`);
  const children: FilterNode[] = [];
  for (const key of Object.keys(value)) {
    const keyPath = [...path, key];
    const item = value[key];
    if (key.startsWith('$')) children.push(parseLogical(key, item, keyPath, depth));
    else children.push(parseField(key, item, keyPath));
  }
  return children.length === 1 ? children[0] : { kind: 'and', children };
}

function parseLogical(operator: string, value: unknown, path: KeyPath, depth: number): FilterNode {
  switch (operator) {
    case '$and':
    case '$or': {
      if (!Array.isArray(value) || value.length === 0) {
        fail(path, `expected a non-empty array of filters, got ${show(value)}`);
      }
      const children = value.map((item, index) => parseFilterObject(item, [...path, index], depth + 1));
      return { kind: operator === '$and' ? 'and' : 'or', children };
    }
    case '$not':
      return { kind: 'not', child: parseFilterObject(value, path, depth + 1) };
    default: {
      const known = `known: ${LOGICAL_OPERATORS.join(', ')}`;
      if (FIELD_OPERATORS.includes(operator)) {
        fail(path, `unknown operator "${operator}" (${known}); field operators go inside a field, e.g. { "year": { "${operator}": … } }`);
      }
      return fail(path, `unknown operator "${operator}" (${hint(operator, LOGICAL_OPERATORS)})`);
    }
  }
}

function parseField(field: string, value: unknown, path: KeyPath): FilterNode {
  if (isScalar(value)) return { kind: 'field', field, conditions: [{ operator: '$eq', value }] };
  if (typeof value === 'number') fail(path, `expected a finite number, got ${show(value)}`);
  if (Array.isArray(value)) {
    fail(path, `expected ${VALUE_OR_OPERATORS}, got ${show(value)}; use { "$in": [...] } to match any of several values`);
  }
  if (value === null || value === undefined) {
    fail(path, `expected ${VALUE_OR_OPERATORS}, got ${show(value)}; use { "$exists": false } to match records without the field`);
  }
  if (!isPlainObject(value)) fail(path, `expected ${VALUE_OR_OPERATORS}, got ${show(value)}`);
  const operators = Object.keys(value);
  if (operators.length === 0) fail(path, `expected at least one operator (known: ${FIELD_OPERATORS.join(', ')})`);
  const conditions: FieldCondition[] = [];
  for (const operator of operators) {
    conditions.push(parseCondition(operator, value[operator], path));
  }
  checkComparableBounds(field, conditions, path);
  return { kind: 'field', field, conditions };
}

function parseCondition(operator: string, value: unknown, fieldPath: KeyPath): FieldCondition {
  const path = [...fieldPath, operator];
  switch (operator) {
    case '$eq':
    case '$ne':
      if (!isScalar(value)) {
        const advice = Array.isArray(value) ? `; use ${operator === '$eq' ? '$in' : '$nin'} for several values` : '';
        fail(path, `expected ${SCALAR}, got ${show(value)}${advice}`);
      }
      return { operator, value };
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (typeof value === 'string' || isFiniteNumber(value)) return { operator, value };
      return fail(path, `expected a number or a string, got ${show(value)}`);
    case '$in':
    case '$nin': {
      if (!Array.isArray(value) || value.length === 0) fail(path, `expected a non-empty array, got ${show(value)}`);
      value.forEach((item, index) => {
        if (!isScalar(item)) fail([...path, index], `expected ${SCALAR}, got ${show(item)}`);
      });
      return { operator, values: [...(value as FilterScalar[])] };
    }
    case '$contains':
      if (typeof value === 'string') return { operator, value };
      return fail(
        path,
        `expected a string (one list item), got ${show(value)}${Array.isArray(value) ? '; use $in for any of several items, $and for all of them' : ''}`,
      );
    case '$exists':
      if (typeof value === 'boolean') return { operator, value };
      return fail(path, `expected a boolean, got ${show(value)}`);
    default:
      if (LOGICAL_OPERATORS.includes(operator)) {
        fail(fieldPath, `unknown operator "${operator}" (logical operators go at the filter level, e.g. { "${operator}": [{ … }, { … }] })`);
      }
      if (!operator.startsWith('$')) {
        const suggestion = closestName(`$${operator}`, FIELD_OPERATORS);
        const advice = suggestion === undefined ? `known: ${FIELD_OPERATORS.join(', ')}` : `did you mean "${suggestion}"?`;
        fail(fieldPath, `unknown operator "${operator}" (operators start with "$"; ${advice})`);
      }
      return fail(fieldPath, `unknown operator "${operator}" (${hint(operator, FIELD_OPERATORS)})`);
  }
}

/**
 * Range bounds on one field must share a type: `{ $gte: 2000, $lt: "2020" }` can match nothing, since
 * numbers only compare with numbers and strings with strings.
 */
function checkComparableBounds(field: string, conditions: readonly FieldCondition[], path: KeyPath): void {
  let first: { operator: ComparisonOperator; type: string } | undefined;
  for (const condition of conditions) {
    if (!isComparison(condition)) continue;
    const type = typeof condition.value;
    if (first === undefined) first = { operator: condition.operator, type };
    else if (type !== first.type) {
      fail(
        [...path, condition.operator],
        `expected a ${first.type}, got ${show(condition.value)} (${first.operator} of "${field}" is a ${first.type}, and ${first.type}s only compare with ${first.type}s)`,
      );
    }
  }
}

function isComparison(condition: FieldCondition): condition is Extract<FieldCondition, { operator: ComparisonOperator }> {
  return condition.operator === '$gt' || condition.operator === '$gte' || condition.operator === '$lt' || condition.operator === '$lte';
}

function hint(operator: string, known: readonly string[]): string {
  const suggestion = closestName(operator, known);
  return suggestion === undefined ? `known: ${known.join(', ')}` : `did you mean "${suggestion}"?`;
}

function fail(path: KeyPath, problem: string): never {
  const where = formatKeyPath(path);
  throw new ValidationError(`${where}: ${problem}`, { details: { path: where, problem } });
}

function isScalar(value: unknown): value is FilterScalar {
  return typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Plain objects only: a Date, Map or class instance is a mistake, not a filter. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A value as written in a message; numbers and non-JSON values are shown as they are, not as JSON. */
function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'undefined' || typeof value === 'symbol') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value instanceof Date) return `a Date (${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isPlainObject(value)) {
    return `a ${value.constructor?.name ?? 'object'}`;
  }
  return truncateForMessage(value, 80);
}
