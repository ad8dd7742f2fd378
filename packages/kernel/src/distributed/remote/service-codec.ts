/**
 * How the arguments, results and errors of a service call travel between a worker and the submitting process:
 * as JSON inside a BullMQ job, with typed arrays (embeddings, token ids) carried as base64 under a marker
 * object. What JSON would drop or change silently (functions, Map, Date, class instances, NaN, bigint) is
 * refused with a `ValidationError` naming the call and where in the value it is.
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

/** The key of the marker object a typed array is encoded as; a plain object may not use it. */
const TYPED_ARRAY_KEY = '__sageTypedArray';

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

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
export function encodeValue(value: unknown, where: string, path = '', depth = 0): unknown {
  const refuse = (reason: string) => new ValidationError(`${where}${path === '' ? '' : ` at ${path}`} cannot travel over Redis: ${reason}`);
  if (depth > 100) throw refuse('it is nested more than 100 levels deep (a cycle?)');
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw refuse(`the number ${value} is not JSON`);
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((item, index) => encodeValue(item, where, `${path}[${index}]`, depth + 1));
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
        const type = Buffer.isBuffer(value) ? 'Uint8Array' : value.constructor.name;
        if (TYPED_ARRAYS[type] === undefined) throw refuse(`a ${type} is not a typed array SAGE carries`);
        return { [TYPED_ARRAY_KEY]: type, base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw refuse(`a ${(value as object).constructor?.name ?? 'object'} is not a plain object`);
      }
      if (TYPED_ARRAY_KEY in value) throw refuse(`the key "${TYPED_ARRAY_KEY}" is reserved`);
      const encoded: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined) encoded[key] = encodeValue(item, where, `${path}.${key}`, depth + 1);
      }
      return encoded;
    }
    default:
      throw refuse(`a value of type ${typeof value} is not JSON`);
  }
}

/** The value `encodeValue` encoded, with its typed arrays rebuilt (on their own, aligned buffers). */
export function decodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const record = value as Record<string, unknown>;
  const type = record[TYPED_ARRAY_KEY];
  if (typeof type === 'string') {
    const bytes = Buffer.from(String(record.base64), 'base64');
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    const TypedArray = TYPED_ARRAYS[type];
    if (TypedArray === undefined) throw new ValidationError(`a service call carried an unknown typed array "${type}"`);
    return new TypedArray(copy.buffer);
  }
  const decoded: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) decoded[key] = decodeValue(item);
  return decoded;
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
