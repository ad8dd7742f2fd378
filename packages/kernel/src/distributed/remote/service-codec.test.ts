import { OperatorError, SageError, ServiceNotFoundError, ServiceTimeoutError, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { decodeError, decodeValue, encodeError, encodeValue } from './service-codec.js';

/** What the value becomes after a trip through the codec and JSON inside a reply, as a service call makes it. */
function roundTrip(value: unknown): unknown {
  const reply = JSON.parse(JSON.stringify({ ok: true, value: encodeValue(value, 'the value') })) as { value?: unknown };
  return decodeValue(reply.value);
}

describe('service call values', () => {
  it('carry JSON data as is, leaving out undefined properties as JSON does', () => {
    const value = { text: 'hi', n: 1.5, ok: true, none: null, list: [1, 'two', { three: 3 }], gone: undefined };
    expect(roundTrip(value)).toEqual({ text: 'hi', n: 1.5, ok: true, none: null, list: [1, 'two', { three: 3 }] });
    expect(roundTrip(undefined)).toBeUndefined();
  });

  it('carry typed arrays as typed arrays of the same type and contents, also views into a larger buffer', () => {
    const embedding = Float32Array.of(0.25, -1, 3.5);
    const ids = new BigInt64Array([1n, -2n]);
    const view = new Uint16Array(new Uint16Array([9, 8, 7, 6]).buffer, 2, 2);
    const decoded = roundTrip({ embedding, nested: [ids, view], bytes: Buffer.from('abc') }) as Record<string, unknown>;
    expect(decoded.embedding).toBeInstanceOf(Float32Array);
    expect(decoded.embedding).toEqual(embedding);
    const [decodedIds, decodedView] = decoded.nested as [BigInt64Array, Uint16Array];
    expect(decodedIds).toBeInstanceOf(BigInt64Array);
    expect([...decodedIds]).toEqual([1n, -2n]);
    expect([...decodedView]).toEqual([8, 7]);
    expect(decoded.bytes).toBeInstanceOf(Uint8Array);
    expect([...(decoded.bytes as Uint8Array)]).toEqual([97, 98, 99]);
  });

  it.each([
    [new Map(), 'argument 0 of c.add cannot travel over Redis: a Map is not a plain object'],
    [{ when: new Date(0) }, 'argument 0 of c.add at .when cannot travel over Redis: a Date is not a plain object'],
    [[1, Number.NaN], 'argument 0 of c.add at [1] cannot travel over Redis: the number NaN is not JSON'],
    [{ run: () => 1 }, 'argument 0 of c.add at .run cannot travel over Redis: a value of type function is not JSON'],
    [{ big: 1n }, 'argument 0 of c.add at .big cannot travel over Redis: a value of type bigint is not JSON'],
    [new DataView(new ArrayBuffer(2)), 'argument 0 of c.add cannot travel over Redis: a DataView is not a plain object'],
    [{ __sageTypedArray: 'x' }, 'argument 0 of c.add cannot travel over Redis: the key "__sageTypedArray" is reserved'],
  ])('refuse %s with a ValidationError naming the call and the place', (value, message) => {
    expect(() => encodeValue(value, 'argument 0 of c.add')).toThrow(ValidationError);
    expect(() => encodeValue(value, 'argument 0 of c.add')).toThrow(message);
  });

  it('refuse a cycle', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeValue(cyclic, 'the result of c.get')).toThrow(/nested more than 100 levels deep/);
  });
});

describe('service call errors', () => {
  function trip(error: unknown): Error {
    return decodeError(JSON.parse(JSON.stringify(encodeError(error))));
  }

  it('rebuild SAGE errors as their own class with message, code and details', () => {
    const timeout = trip(new ServiceTimeoutError('llm', 'generate', 250));
    expect(timeout).toBeInstanceOf(ServiceTimeoutError);
    expect(timeout).toBeInstanceOf(SageError);
    expect(timeout).toMatchObject({
      name: 'ServiceTimeoutError',
      code: 'SAGE_SERVICE_TIMEOUT',
      message: 'service call llm.generate timed out after 250 ms',
      details: { service: 'llm', method: 'generate', timeoutMs: 250 },
    });
    expect(trip(new ServiceNotFoundError('llm', ['db']))).toBeInstanceOf(ServiceNotFoundError);
    const failed = trip(new OperatorError('parse', { id: 1 }, new Error('bad')));
    expect(failed).toBeInstanceOf(OperatorError);
    expect(failed).toMatchObject({ operator: 'parse', record: '{"id":1}', message: 'operator "parse" failed on record {"id":1}: bad' });
  });

  it('rebuild built-in errors as theirs and others as an Error with their name and code', () => {
    const typeError = trip(new TypeError('not a number'));
    expect(typeError).toBeInstanceOf(TypeError);
    expect(typeError.message).toBe('not a number');
    class QuotaError extends Error {
      code = 'E_QUOTA';
      override name = 'QuotaError';
    }
    expect(trip(new QuotaError('over quota'))).toMatchObject({ name: 'QuotaError', message: 'over quota', code: 'E_QUOTA' });
    expect(trip('a thrown string')).toMatchObject({ name: 'Error', message: 'a thrown string' });
  });
});
