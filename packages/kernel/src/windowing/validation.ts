import { OperatorError, ValidationError } from '@sage/common';

/** Shows a value in an error message: numbers as written (`NaN`, `-5`), others as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Float32Array) return `Float32Array(${value.length})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A duration in milliseconds that must be a positive integer (sizes, slides, gaps, intervals). */
export function requirePositiveMillis(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError(`${owner}: ${name} must be a positive integer number of milliseconds, got ${describeValue(value)}`, {
      details: { operator: owner, [name]: describeValue(value) },
    });
  }
  return value;
}

/** A duration in milliseconds that may be zero (bounds, allowed lateness). */
export function requireNonNegativeMillis(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`${owner}: ${name} must be a non-negative integer number of milliseconds, got ${describeValue(value)}`, {
      details: { operator: owner, [name]: describeValue(value) },
    });
  }
  return value;
}

/**
 * `requireTimestamp` for an operator's records, once per record: the owner (`window operator "name"`) is only
 * put together for the error.
 */
export function requireOperatorTimestamp(kind: 'operator' | 'window operator' | 'similarity join', name: string, value: unknown, record?: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return requireTimestamp(`${kind} "${name}"`, value, record);
}

/** A record timestamp: integer milliseconds, so `maxTimestamp = end - 1` is exact. */
export function requireTimestamp(owner: string, value: unknown, record?: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    const shown = record === undefined ? '' : ` (record ${describeValue(record)})`;
    throw new ValidationError(`${owner}: timestamp must be a finite integer number of milliseconds, got ${describeValue(value)}${shown}`, {
      details: { operator: owner, timestamp: describeValue(value) },
    });
  }
  return value;
}

/** An integer count of elements (count windows, count triggers and evictors). */
export function requirePositiveCount(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError(`${owner}: ${name} must be a positive integer, got ${describeValue(value)}`, {
      details: { operator: owner, [name]: describeValue(value) },
    });
  }
  return value;
}

/** A watermark: any number but NaN (`MAX_WATERMARK` and beyond mean end of input). */
export function requireWatermark(owner: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new ValidationError(`${owner}: watermark must be a number, got ${describeValue(value)}`, {
      details: { operator: owner, watermark: describeValue(value) },
    });
  }
  return value;
}

/**
 * What a window operator throws when user code (a trigger, evictor, aggregate or process function) failed on
 * `subject`: its own errors pass through, a validation error is named after the operator, anything else becomes an
 * `OperatorError` with the subject (a window as its `toString`).
 */
export function windowFunctionFailure(operator: string, subject: unknown, error: unknown): Error {
  if (error instanceof OperatorError || (error instanceof ValidationError && error.details.operator === operator)) return error;
  if (error instanceof ValidationError) {
    return new ValidationError(`window operator "${operator}": ${error.message}`, { cause: error, details: { ...error.details, operator } });
  }
  return new OperatorError(operator, subject instanceof Object && 'maxTimestamp' in subject ? String(subject) : subject, error);
}
