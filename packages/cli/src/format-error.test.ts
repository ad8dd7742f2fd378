import { OperatorError, SageError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { formatError, isSageErrorLike } from './format-error.js';

describe('formatError', () => {
  it('recognises SAGE errors by their code, whatever copy of @sage/common made them', () => {
    expect(isSageErrorLike(new SageError('SAGE_PIPELINE', 'x'))).toBe(true);
    const foreign = Object.assign(new Error('from another module instance'), { code: 'SAGE_CONFIG' });
    expect(isSageErrorLike(foreign)).toBe(true);
    expect(isSageErrorLike(Object.assign(new Error('fs'), { code: 'ENOENT' }))).toBe(false);
    expect(isSageErrorLike({ code: 'SAGE_CONFIG', message: 'not an Error' })).toBe(false);
  });

  it('prints the code and message of a SAGE error', () => {
    const error = new OperatorError('explode', 2, new Error('boom'));
    expect(formatError(error)).toBe('error SAGE_OPERATOR: operator "explode" failed on record 2: boom\n');
  });

  it('adds the stack and cause when verbose', () => {
    const text = formatError(new OperatorError('explode', 2, new Error('boom')), true);
    expect(text).toMatch(/^error SAGE_OPERATOR: .*\nOperatorError: /);
    expect(text).toContain('caused by: Error: boom');
  });

  it('prints the stack of other errors, and anything thrown', () => {
    expect(formatError(new TypeError('bad'))).toMatch(/^error: TypeError: bad\n {4}at /);
    expect(formatError('a string')).toBe('error: a string\n');
  });
});
