import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, removeDirectory } from '../__fixtures__/memory-io.js';
import { CLI_PACKAGE_ROOT, CLI_TEMPLATES_DIRECTORY } from '../package-paths.js';
import { findEnvTemplate, listEnvVariables, readEnvTemplateVariables } from './env-template.js';

const EXPECTED_VARIABLES = [
  'SAGE_LOG_LEVEL',
  'REDIS_URL',
  'OPENAI_API_KEY',
  'SAGE_LLM_BASE_URL',
  'SAGE_LLM_MODEL',
  'SAGE_LLM_MODEL_PATH',
  'OPENBLAS_NUM_THREADS',
];

describe('env template', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  it('lists assigned variables, skipping comments, blanks and repeats', () => {
    expect(listEnvVariables('# A=1\n\nexport B=2\r\n C = 3\nB=4\nnot a variable\n')).toEqual(['B', 'C']);
  });

  it('ships a template with every documented variable, identical to the repository one', () => {
    const shipped = join(CLI_TEMPLATES_DIRECTORY, '.env.template');
    expect(readEnvTemplateVariables(shipped)).toEqual(EXPECTED_VARIABLES);
    expect(readFileSync(shipped, 'utf8')).toBe(readFileSync(join(CLI_PACKAGE_ROOT, '../../.env.template'), 'utf8'));
  });

  it("prefers the project's template over the shipped one", () => {
    expect(findEnvTemplate(directory)).toBe(join(CLI_TEMPLATES_DIRECTORY, '.env.template'));
    writeFileSync(join(directory, '.env.template'), 'MY_VARIABLE=1\n');
    expect(findEnvTemplate(directory)).toBe(join(directory, '.env.template'));
  });
});
