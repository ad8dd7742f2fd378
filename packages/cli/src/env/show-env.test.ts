import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, memoryIo, removeDirectory } from '../__fixtures__/memory-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { describeEnvVariables, showEnv } from './show-env.js';

const API_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123';

describe('describeEnvVariables', () => {
  it('prefers the environment over .env and masks secrets', () => {
    const statuses = describeEnvVariables(
      ['OPENAI_API_KEY', 'SAGE_LOG_LEVEL', 'REDIS_URL', 'DB_PASSWORD', 'SAGE_LLM_MODEL', 'EMPTY'],
      { OPENAI_API_KEY: API_KEY, SAGE_LOG_LEVEL: 'debug' },
      { SAGE_LOG_LEVEL: 'info', REDIS_URL: 'redis://:hunter2hunter2@cache:6379', DB_PASSWORD: 'short', EMPTY: '' },
    );
    expect(statuses).toEqual([
      { name: 'OPENAI_API_KEY', source: 'environment', shownValue: 'sk-p…(38 chars)' },
      { name: 'SAGE_LOG_LEVEL', source: 'environment', shownValue: 'debug' },
      { name: 'REDIS_URL', source: '.env', shownValue: 'redis://:****@cache:6379' },
      { name: 'DB_PASSWORD', source: '.env', shownValue: '****' },
      { name: 'SAGE_LLM_MODEL', source: 'unset', shownValue: undefined },
      { name: 'EMPTY', source: '.env', shownValue: '(empty)' },
    ]);
  });
});

describe('showEnv', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  it('lists every template variable with its source and masked value', () => {
    writeFileSync(join(directory, '.env'), `SAGE_LOG_LEVEL=warn\nOPENAI_API_KEY=${API_KEY}\nNOT_IN_TEMPLATE=1\n`);
    const io = memoryIo(directory, { SAGE_LLM_MODEL: 'gpt-4o-mini', OPENAI_API_KEY: undefined });
    expect(showEnv(io)).toBe(EXIT_OK);
    const lines = io.stdoutText().trimEnd().split('\n');
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual([
      'SAGE_LOG_LEVEL',
      'REDIS_URL',
      'OPENAI_API_KEY',
      'SAGE_LLM_BASE_URL',
      'SAGE_LLM_MODEL',
      'SAGE_LLM_MODEL_PATH',
      'OPENBLAS_NUM_THREADS',
    ]);
    expect(lines[0]).toMatch(/^SAGE_LOG_LEVEL\s+set in \.env\s+warn$/);
    expect(lines[1]).toMatch(/^REDIS_URL\s+unset$/);
    expect(lines[2]).toMatch(/^OPENAI_API_KEY\s+set in \.env\s+sk-p…\(38 chars\)$/);
    expect(lines[4]).toMatch(/^SAGE_LLM_MODEL\s+set in environment\s+gpt-4o-mini$/);
    expect(io.stdoutText()).not.toContain(API_KEY);
    expect(io.stdoutText()).not.toContain('NOT_IN_TEMPLATE');
    expect(io.stderrText()).toBe('');
  });

  it('says how to create .env when there is none', () => {
    const io = memoryIo(directory);
    expect(showEnv(io)).toBe(EXIT_OK);
    expect(io.stdoutText()).toMatch(/^SAGE_LOG_LEVEL\s+unset$/m);
    expect(io.stderrText()).toContain('sage config env setup');
  });
});
