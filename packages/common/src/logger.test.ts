import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, isSageError, SageError } from './errors.js';
import { createLogger, formatLogLine, resolveLogLevel } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('writes structured lines and never the values of secret keys', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', name: 'job', destination });
    logger.info({ apiKey: 'sk-123456789', redis: { password: 'hunter22' }, rows: 3 }, 'loaded');
    logger.debug('hidden at info');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ name: 'job', msg: 'loaded', rows: 3, apiKey: '[redacted]', redis: { password: '[redacted]' } });
    expect(lines[0]).not.toContain('sk-123456789');
    expect(lines[0]).not.toContain('hunter22');
  });

  it('writes readable text lines when asked, still without secrets', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', name: 'job', destination, format: 'text' });
    logger.warn({ operator: 'map_3', token: 'abc-secret', tries: 2 }, 'falling back');
    expect(lines.join('')).toBe('WARN  job operator=map_3 token=[redacted] tries=2: falling back\n');
    expect(formatLogLine('not json')).toBe('not json');
    expect(formatLogLine('{"level":50,"msg":"boom","detail":{"a":1}}')).toBe('ERROR detail={"a":1}: boom');
  });

  it('takes the format from SAGE_LOG_FORMAT and refuses an unknown one', () => {
    const saved = process.env.SAGE_LOG_FORMAT;
    try {
      process.env.SAGE_LOG_FORMAT = 'text';
      const text = capture();
      createLogger({ level: 'info', destination: text.destination }).info('hello');
      expect(text.lines.join('')).toBe('INFO  hello\n');
      process.env.SAGE_LOG_FORMAT = 'json';
      const json = capture();
      createLogger({ level: 'info', destination: json.destination }).info('hello');
      expect(JSON.parse(json.lines[0]!).msg).toBe('hello');
      process.env.SAGE_LOG_FORMAT = 'xml';
      expect(() => createLogger({ level: 'info' })).toThrow(/SAGE_LOG_FORMAT must be json or text, got "xml"/);
    } finally {
      if (saved === undefined) delete process.env.SAGE_LOG_FORMAT;
      else process.env.SAGE_LOG_FORMAT = saved;
    }
  });

  it('takes its level from SAGE_LOG_LEVEL, treats empty as unset and refuses an unknown level', () => {
    expect(resolveLogLevel(undefined)).toBe('info');
    expect(resolveLogLevel('')).toBe('info');
    expect(resolveLogLevel('debug')).toBe('debug');
    expect(() => resolveLogLevel('verbose')).toThrow(ConfigError);
    expect(() => resolveLogLevel('verbose')).toThrow(/one of fatal, error, warn, info, debug, trace, silent, got "verbose"/);
  });
});

describe('isSageError', () => {
  it('recognises SAGE errors also from another copy of the package, by code', () => {
    expect(isSageError(new ConfigError('x'))).toBe(true);
    const foreign = Object.assign(new Error('from another copy'), { code: 'SAGE_OPERATOR' });
    expect(isSageError(foreign)).toBe(true);
    expect(isSageError(Object.assign(new Error('fs'), { code: 'ENOENT' }))).toBe(false);
    expect(isSageError('SAGE_CONFIG')).toBe(false);
    expect(new SageError('SAGE_PIPELINE', 'p')).toBeInstanceOf(Error);
  });
});
