/**
 * How values travel between processes inside BullMQ jobs (records of a remote job, service arguments and
 * results): as JSON, with typed arrays (embeddings, token ids) carried as base64 under a marker object. What
 * JSON would drop or change silently (functions, Map, Date, class instances, NaN, bigint) is refused: the caller
 * says how, naming the value and where in it the problem is.
 */

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

/** Makes the error for a value that cannot travel: `path` is where in the value (`.user.tags[2]`, or ''). */
export type Refuse = (reason: string, path: string) => Error;

/**
 * The JSON form of `value`. Copy on write: a value without typed arrays comes back as itself (checked, not
 * copied), so records of plain data cost one walk. `undefined` properties are left to JSON to drop; `undefined`
 * itself passes (a service method's empty result), but not as an array item, which JSON would turn into null.
 */
export function toWire(value: unknown, refuse: Refuse, path = '', depth = 0): unknown {
  if (depth > 100) throw refuse('it is nested more than 100 levels deep (a cycle?)', path);
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw refuse(`the number ${value} is not JSON`, path);
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let index = 0; index < value.length; index++) {
          const item = value[index];
          if (item === undefined) throw refuse('an undefined array item would arrive as null', `${path}[${index}]`);
          const wire = toWire(item, refuse, `${path}[${index}]`, depth + 1);
          if (wire !== item) (copy ??= value.slice())[index] = wire;
        }
        return copy ?? value;
      }
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
        const type = Buffer.isBuffer(value) ? 'Uint8Array' : value.constructor.name;
        if (TYPED_ARRAYS[type] === undefined) throw refuse(`a ${type} is not a typed array SAGE carries`, path);
        return { [TYPED_ARRAY_KEY]: type, base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw refuse(`a ${(value as object).constructor?.name ?? 'object'} is not a plain object`, path);
      }
      if (TYPED_ARRAY_KEY in value) throw refuse(`the key "${TYPED_ARRAY_KEY}" is reserved`, path);
      let copy: Record<string, unknown> | undefined;
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue;
        const wire = toWire(item, refuse, `${path}.${key}`, depth + 1);
        if (wire !== item) (copy ??= { ...value })[key] = wire;
      }
      return copy ?? value;
    }
    default:
      throw refuse(`a value of type ${typeof value} is not JSON`, path);
  }
}

/** Whether `value` is the wire form of a typed array (for JSON revivers that rebuild values one by one). */
export function isWireTypedArray(value: object): boolean {
  return typeof (value as Record<string, unknown>)[TYPED_ARRAY_KEY] === 'string';
}

/** The value `toWire` encoded, with its typed arrays rebuilt (on their own, aligned buffers). */
export function fromWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromWire);
  const record = value as Record<string, unknown>;
  const type = record[TYPED_ARRAY_KEY];
  if (typeof type === 'string') {
    const TypedArray = TYPED_ARRAYS[type];
    if (TypedArray === undefined) throw new TypeError(`a value from Redis carried an unknown typed array "${type}"`);
    const bytes = Buffer.from(String(record.base64), 'base64');
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return new TypedArray(copy.buffer);
  }
  const decoded: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) decoded[key] = fromWire(item);
  return decoded;
}
