import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  JobStoppedError,
  OperatorError,
  PipelineError,
  SageError,
  ServiceError,
  ServiceNotFoundError,
  ServiceTimeoutError,
  truncateForMessage,
  ValidationError,
} from './errors.js';

describe('error classes', () => {
  it.each([
    [new ConfigError('bad config'), 'ConfigError', 'SAGE_CONFIG'],
    [new ValidationError('bad argument'), 'ValidationError', 'SAGE_VALIDATION'],
    [new PipelineError('bad graph'), 'PipelineError', 'SAGE_PIPELINE'],
    [new OperatorError('map', { id: 1 }, new Error('boom')), 'OperatorError', 'SAGE_OPERATOR'],
    [new ServiceError('call failed'), 'ServiceError', 'SAGE_SERVICE'],
    [new ServiceNotFoundError('llm', ['db']), 'ServiceNotFoundError', 'SAGE_SERVICE_NOT_FOUND'],
    [new ServiceTimeoutError('llm', 'generate', 500), 'ServiceTimeoutError', 'SAGE_SERVICE_TIMEOUT'],
    [new JobStoppedError('ingest'), 'JobStoppedError', 'SAGE_JOB_STOPPED'],
  ])('%s has its name, its code and is a SageError', (error, name, code) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(SageError);
    expect(error).toBeInstanceOf(Error);
  });

  it('keeps the cause and details', () => {
    const cause = new Error('root cause');
    const error = new ConfigError('bad config', { cause, details: { file: 'sage.config.yaml' } });
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ file: 'sage.config.yaml' });
    expect(new ConfigError('no details').details).toEqual({});
  });

  it('subclasses do not match each other', () => {
    expect(new ConfigError('x')).not.toBeInstanceOf(ValidationError);
    expect(new ServiceTimeoutError('a', 'b', 1)).not.toBeInstanceOf(ServiceError);
  });

  it('OperatorError names the operator and shows the record and the cause message', () => {
    const cause = new Error('division by zero');
    const error = new OperatorError('divide', { value: 42, label: 'answer' }, cause);
    expect(error.message).toContain('"divide"');
    expect(error.message).toContain('{"value":42,"label":"answer"}');
    expect(error.message).toContain('division by zero');
    expect(error.operator).toBe('divide');
    expect(error.record).toBe('{"value":42,"label":"answer"}');
    expect(error.cause).toBe(cause);
  });

  it('OperatorError truncates a large record and accepts a non-Error cause', () => {
    const error = new OperatorError('tokenize', { text: 'x'.repeat(10_000) }, 'rejected');
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toContain('chars)');
    expect(error.message).toContain('rejected');
  });

  it('ServiceNotFoundError lists the registered services', () => {
    expect(new ServiceNotFoundError('llm', ['db', 'cache']).message).toContain('db, cache');
    expect(new ServiceNotFoundError('llm', []).message).toContain('none');
  });
});

describe('truncateForMessage', () => {
  it('shows short values whole, as JSON', () => {
    expect(truncateForMessage('hi')).toBe('"hi"');
    expect(truncateForMessage({ a: 1 })).toBe('{"a":1}');
    expect(truncateForMessage(undefined)).toBe('undefined');
    expect(truncateForMessage(10n)).toBe('"10n"');
  });

  it('truncates long values and says how long they were', () => {
    const shown = truncateForMessage('y'.repeat(1000), 50);
    expect(shown.startsWith(`"${'y'.repeat(49)}`)).toBe(true);
    expect(shown).toContain('… (1002 chars)');
    expect(shown.length).toBeLessThan(70);
  });

  it('survives values JSON cannot render', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(truncateForMessage(cyclic)).toBe('[object Object]');
  });
});
