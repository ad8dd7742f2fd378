/**
 * The validated form of a metadata filter (see `Filter` in ../types.ts), produced by `parseFilter` and
 * turned into a closure (`buildMatcher`) or into set operations over a `MetadataIndex` (`evaluateFilterNode`).
 */
export type FilterNode =
  | { readonly kind: 'and'; readonly children: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly children: readonly FilterNode[] }
  | { readonly kind: 'not'; readonly child: FilterNode }
  | { readonly kind: 'field'; readonly field: string; readonly conditions: readonly FieldCondition[] };

/** A value a filter can compare with: string, finite number or boolean. */
export type FilterScalar = string | number | boolean;

/** One operator applied to a field; several on the same field must all hold. */
export type FieldCondition =
  | { readonly operator: '$eq' | '$ne'; readonly value: FilterScalar }
  | { readonly operator: ComparisonOperator; readonly value: number | string }
  | { readonly operator: '$in' | '$nin'; readonly values: readonly FilterScalar[] }
  | { readonly operator: '$contains'; readonly value: string }
  | { readonly operator: '$exists'; readonly value: boolean };

export type ComparisonOperator = '$gt' | '$gte' | '$lt' | '$lte';

export const LOGICAL_OPERATORS: readonly string[] = ['$and', '$or', '$not'];

export const FIELD_OPERATORS: readonly string[] = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$contains',
  '$exists',
];
