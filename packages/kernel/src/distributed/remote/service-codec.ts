/**
 * How the arguments, results and errors of a service call travel between a worker and the submitting process:
 * values as `wire-value.ts` carries them (a value that cannot travel is refused with a `ValidationError` naming
 * the call and where in the value it is), errors rebuilt as their class where it is known.
 */
import {
  ConfigError,
  OperatorError,
  PipelineError,
  type SageError,
  ServiceError,
  ServiceNotFoundError,
  ServiceTimeoutError,
  StorageError,
  ValidationError,
} from '@sage/common';
import { fromWire, toWire } from './wire-value.js';

/** One call, as the BullMQ job of a service queue carries it. */
export interface ServiceCallData {
  method: string;
  /** Encoded positional arguments. */
  args: unknown[];
  timeoutMs: number;
  /** Epoch ms after which the caller has given up; the host skips a call it takes later. */
  deadline: number;
}

export interface EncodedError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

/** The return value of a service queue's job: a call's result or the error it threw, never a BullMQ failure. */
export type ServiceReply = { ok: true; value?: unknown } | { ok: false; error: EncodedError };

/** The JSON form of `value`; `where` names the value in the error (`argument 0 of counter.add`). */
export function encodeValue(value: unknown, where: string): unknown {
  return toWire(value, (reason, path) => new ValidationError(`${where}${path === '' ? '' : ` at ${path}`} cannot travel over Redis: ${reason}`));
}

/** The value `encodeValue` encoded, with its typed arrays rebuilt. */
export function decodeValue(value: unknown): unknown {
  try {
    return fromWire(value);
  } catch (error) {
    throw new ValidationError(`a service call carried a value that cannot be read: ${(error as Error).message}`);
  }
}

export function encodeError(error: unknown): EncodedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code, details } = error as Partial<SageError>;
  let safeDetails: Record<string, unknown> | undefined;
  try {
    safeDetails = details === undefined ? undefined : (JSON.parse(JSON.stringify(details)) as Record<string, unknown>);
  } catch {
    safeDetails = undefined;
  }
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(safeDetails ? { details: safeDetails } : {}) };
}

/** SAGE's typed errors by name: a reply's error is rebuilt as the same class, with its message, code and details. */
const SAGE_ERRORS: Record<string, { prototype: SageError }> = {
  ConfigError,
  ValidationError,
  PipelineError,
  OperatorError,
  ServiceError,
  ServiceNotFoundError,
  ServiceTimeoutError,
  StorageError,
};

const BUILT_IN_ERRORS: Record<string, ErrorConstructor> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/**
 * The error a reply carries, as close to the thrown one as can be rebuilt: SAGE errors as their class, built-in
 * errors as theirs; other classes as an `Error` with the original `name`, `message` and `code`.
 */
export function decodeError(encoded: EncodedError): Error {
  const SageClass = SAGE_ERRORS[encoded.name];
  let error: Error;
  if (SageClass !== undefined) {
    // The constructors format their messages from arguments; the message is already formatted.
    error = Object.create(SageClass.prototype) as Error;
    Object.defineProperty(error, 'message', { value: encoded.message, writable: true, configurable: true });
  } else {
    error = new (BUILT_IN_ERRORS[encoded.name] ?? Error)(encoded.message);
  }
  Object.assign(error, { name: encoded.name });
  if (encoded.code !== undefined) Object.assign(error, { code: encoded.code });
  if (encoded.details !== undefined || SageClass !== undefined) Object.assign(error, { details: encoded.details ?? {} });
  // The fields OperatorError and StorageError keep beside their details.
  const { operator, record, path } = encoded.details ?? {};
  if (encoded.name === 'OperatorError') Object.assign(error, { operator, record });
  if (encoded.name === 'StorageError') Object.assign(error, { path });
  if (SageClass !== undefined) error.stack = `${encoded.name}: ${encoded.message}\n    (thrown by the service in the submitting process)`;
  return error;
}
