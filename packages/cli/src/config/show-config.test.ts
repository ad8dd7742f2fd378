// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests write literal ${VAR} references into config files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, memoryIo, removeDirectory } from '../__fixtures__/memory-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { showConfig } from './show-config.js';

const API_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123';

describe('showConfig', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  it('prints the defaults when there is no config file', () => {
    const io = memoryIo(directory);
    expect(showConfig(io)).toBe(EXIT_OK);
    const out = io.stdoutText();
    expect(out).toContain(`# no sage.config.yaml in ${directory}`);
    expect(out).toContain('log:\n  level: info\n');
    expect(out).toContain('  batchSize: 1024\n');
    expect(out).toContain('  url: redis://127.0.0.1:6379\n');
    expect(out).toContain('services: {}\n');
  });

  it('applies defaults to the file, expands variables (also from .env) and masks secrets', () => {
    writeFileSync(
      join(directory, 'sage.config.yaml'),
      [
        'runtime:',
        '  batchSize: 64',
        'redis:',
        '  url: redis://:${REDIS_PASSWORD}@cache:6379',
        'services:',
        '  llm:',
        '    apiKey: ${OPENAI_API_KEY}',
        '    model: ${SAGE_LLM_MODEL}',
      ].join('\n'),
    );
    writeFileSync(join(directory, '.env'), 'SAGE_LLM_MODEL=small-model\nREDIS_PASSWORD=hunter2hunter2\n');
    const env = { OPENAI_API_KEY: API_KEY };
    const io = memoryIo(directory, env);
    expect(showConfig(io)).toBe(EXIT_OK);
    const out = io.stdoutText();
    expect(out).toContain('  batchSize: 64\n');
    expect(out).toContain('  lingerMs: 5\n');
    expect(out).toContain('    model: small-model\n');
    expect(out).toContain('    apiKey: sk-p…(38 chars)\n');
    expect(out).toContain('redis://:****@cache:6379');
    expect(out).not.toContain(API_KEY);
    expect(out).not.toContain('hunter2');
    // .env filled a copy, not the caller's environment.
    expect(env).toEqual({ OPENAI_API_KEY: API_KEY });
  });

  it('reads --file relative to the working directory', () => {
    writeFileSync(join(directory, 'other.yaml'), 'log:\n  level: warn\n');
    const io = memoryIo(directory);
    expect(showConfig(io, { file: 'other.yaml' })).toBe(EXIT_OK);
    expect(io.stdoutText()).toContain(`# ${join(directory, 'other.yaml')}`);
    expect(io.stdoutText()).toContain('  level: warn\n');
  });

  it('exits 1 with the ConfigError message for a bad config', () => {
    writeFileSync(join(directory, 'sage.config.yaml'), 'log:\n  level: verbose\nruntime:\n  lingerms: 10\n');
    const io = memoryIo(directory);
    expect(showConfig(io)).toBe(EXIT_FAILURE);
    expect(io.stdoutText()).toBe('');
    const err = io.stderrText();
    expect(err).toMatch(/^error SAGE_CONFIG: /);
    expect(err).toContain('sage.config.yaml:2:10: log.level: expected one of');
    expect(err).toContain('runtime.lingerms: unknown key (did you mean "lingerMs"?');
  });

  it('exits 1 when --file does not exist', () => {
    const io = memoryIo(directory);
    expect(showConfig(io, { file: 'missing.yaml' })).toBe(EXIT_FAILURE);
    expect(io.stderrText()).toContain(`config file not found: ${join(directory, 'missing.yaml')}`);
  });
});
