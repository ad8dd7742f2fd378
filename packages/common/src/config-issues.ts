/**
 * Turns zod issues into config problems a person can act on: the key path (`jobs[0].parallelism`), the expected
 * shape and the value actually received (truncated, and masked under secret keys).
 */
import type { z } from 'zod';
import { editDistance } from './edit-distance.js';
import { truncateForMessage } from './errors.js';
import { isSecretKey, redactValue } from './secrets.js';

type Issue = z.core.$ZodIssue;
type KeyPath = ReadonlyArray<string | number>;

/** One problem found while validating a config. */
export interface ConfigIssue {
  /** The zod issue code (`invalid_type`, `too_big`, `unrecognized_keys`, …). */
  code: string;
  /** Key path as written in messages, e.g. `jobs[0].parallelism`; `(root)` for the whole value. */
  path: string;
  /** The path as keys and indices. */
  segments: Array<string | number>;
  /** What the schema wanted, e.g. `expected integer <= 65536`. */
  expected: string;
  /** The value found there, rendered for a message (`nothing (missing)` when absent). */
  received: string;
  /** 1-based position in the config file, when known. */
  line?: number;
  column?: number;
}

const MAX_RECEIVED_CHARS = 100;

/** Describe every zod issue; unrecognized keys become one issue per key. */
export function describeIssues(issues: readonly Issue[], input: unknown, schema: z.core.$ZodType): ConfigIssue[] {
  const described: ConfigIssue[] = [];
  for (const issue of issues) {
    const segments = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(schema, segments);
      for (const key of issue.keys) {
        described.push(describe(issue.code, [...segments, key], unknownKey(key, known), input));
      }
    } else {
      described.push(describe(issue.code, segments, expectedShape(issue), input));
    }
  }
  return described;
}

function describe(code: string, segments: Array<string | number>, expected: string, input: unknown): ConfigIssue {
  const found = valueAt(input, segments);
  const secret = segments.some((segment) => typeof segment === 'string' && isSecretKey(segment));
  const received = found.present
    ? truncateForMessage(redactValue(found.value, secret), MAX_RECEIVED_CHARS)
    : 'nothing (missing)';
  return { code, path: formatKeyPath(segments), segments, expected, received };
}

/** `jobs[0].parallelism`, `services["my-service"].url`; `(root)` for the empty path. */
export function formatKeyPath(segments: KeyPath): string {
  if (segments.length === 0) return '(root)';
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

function valueAt(root: unknown, segments: KeyPath): { present: boolean; value?: unknown } {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return { present: false };
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current === undefined ? { present: false } : { present: true, value: current };
}

function expectedShape(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeName(issue.expected)}`;
    case 'invalid_value':
      return expectedValues(issue.values);
    case 'too_small':
      return `expected ${bound(issue.origin, issue.minimum, issue.inclusive !== false, issue.exact === true, 'min')}`;
    case 'too_big':
      return `expected ${bound(issue.origin, issue.maximum, issue.inclusive !== false, issue.exact === true, 'max')}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    case 'invalid_format':
      return expectedFormat(issue);
    case 'invalid_union':
      return expectedUnion(issue);
    default:
      return issue.message;
  }
}

function typeName(expected: string): string {
  return expected === 'int' ? 'integer' : expected;
}

function expectedValues(values: readonly unknown[]): string {
  const shown = values.map((value) => (typeof value === 'bigint' ? `${value}n` : JSON.stringify(value)));
  return shown.length === 1 ? `expected ${shown[0]}` : `expected one of ${shown.join(' | ')}`;
}

function bound(
  origin: string,
  limit: number | bigint,
  inclusive: boolean,
  exact: boolean,
  side: 'min' | 'max',
): string {
  const unit = { string: 'characters', array: 'items', set: 'items', file: 'bytes' }[origin];
  if (unit !== undefined) {
    const amount = exact
      ? 'exactly'
      : side === 'min'
        ? inclusive
          ? 'at least'
          : 'more than'
        : inclusive
          ? 'at most'
          : 'fewer than';
    return `${origin} with ${amount} ${limit} ${unit}`;
  }
  const operator = side === 'min' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `${typeName(origin)} ${exact ? '=' : operator} ${limit}`;
}

function expectedFormat(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const details = issue as z.core.$ZodIssueInvalidStringFormat & {
    prefix?: string;
    suffix?: string;
    includes?: string;
  };
  switch (issue.format) {
    case 'regex':
      return `expected string matching ${issue.pattern}`;
    case 'starts_with':
      return `expected string starting with ${JSON.stringify(details.prefix)}`;
    case 'ends_with':
      return `expected string ending with ${JSON.stringify(details.suffix)}`;
    case 'includes':
      return `expected string containing ${JSON.stringify(details.includes)}`;
    case 'url':
      return issue.pattern === undefined ? 'expected URL' : `expected URL with protocol matching /${issue.pattern}/`;
    default:
      return `expected ${issue.format}`;
  }
}

function expectedUnion(issue: z.core.$ZodIssueInvalidUnion): string {
  if ('options' in issue && issue.options !== undefined) return expectedValues(issue.options);
  const alternatives = new Set<string>();
  for (const branch of issue.errors) {
    const top = branch.find((inner) => inner.path.length === 0);
    if (top?.code === 'invalid_type') alternatives.add(typeName(top.expected));
    else if (top?.code === 'invalid_value')
      alternatives.add(expectedValues(top.values).replace(/^expected (one of )?/, ''));
    else return `expected one of ${issue.errors.length} alternative shapes (${issue.message})`;
  }
  return alternatives.size > 0 ? `expected ${[...alternatives].join(' | ')}` : issue.message;
}

function unknownKey(key: string, known: readonly string[] | undefined): string {
  if (known === undefined || known.length === 0) return 'unknown key';
  const suggestion = closest(key, known);
  const hint = suggestion === undefined ? '' : `did you mean "${suggestion}"? `;
  return `unknown key (${hint}known keys: ${known.join(', ')})`;
}

/** The known key a typo most likely meant: same letters ignoring case, or at most 2 edits away. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(key.length / 2));
  for (const candidate of known) {
    if (candidate.toLowerCase() === key.toLowerCase()) return candidate;
    const distance = editDistance(key, candidate);
    if (distance <= bestDistance) {
      best = candidate;
      bestDistance = distance - 1;
    }
  }
  return best;
}

/** Loose view of zod's schema definitions, enough to walk to the object schema at a key path. */
interface SchemaDefinition {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  getter?: () => z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  items?: z.core.$ZodType[];
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);

/** The keys of the object schema at `segments`, when it can be found without guessing (no unions). */
function objectKeysAt(schema: z.core.$ZodType, segments: KeyPath): string[] | undefined {
  let current: z.core.$ZodType | undefined = unwrap(schema);
  for (const segment of segments) {
    const definition: SchemaDefinition = current._zod.def as unknown as SchemaDefinition;
    if (definition.type === 'object') current = definition.shape?.[segment];
    else if (definition.type === 'array') current = definition.element;
    else if (definition.type === 'record') current = definition.valueType;
    else if (definition.type === 'tuple' && typeof segment === 'number') current = definition.items?.[segment];
    else return undefined;
    if (current === undefined) return undefined;
    current = unwrap(current);
  }
  const definition = current._zod.def as unknown as SchemaDefinition;
  return definition.type === 'object' ? Object.keys(definition.shape ?? {}) : undefined;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  // Bounded: a lazy schema may refer to itself.
  for (let depth = 0; depth < 32; depth++) {
    const definition = current._zod.def as unknown as SchemaDefinition;
    const inner = WRAPPERS.has(definition.type)
      ? definition.innerType
      : definition.type === 'pipe'
        ? definition.in
        : definition.type === 'lazy'
          ? definition.getter?.()
          : undefined;
    if (inner === undefined) return current;
    current = inner;
  }
  return current;
}
