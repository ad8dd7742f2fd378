// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests write literal ${VAR} references into config files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, removeDirectory } from '../__fixtures__/memory-io.js';
import { createConfigFileCheck } from './config-file-check.js';

describe('config file check', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  it('is ok without a config file', async () => {
    expect(await createConfigFileCheck().run({ cwd: directory, env: {} })).toEqual({
      status: 'ok',
      detail: 'no sage.config.yaml here; defaults apply',
    });
  });

  it('is ok with a valid file, using the context env for ${VAR}', async () => {
    writeFileSync(join(directory, 'sage.config.yaml'), 'redis:\n  url: ${REDIS_URL}\n');
    const result = await createConfigFileCheck().run({ cwd: directory, env: { REDIS_URL: 'redis://cache:6379' } });
    expect(result).toEqual({ status: 'ok', detail: 'sage.config.yaml is valid' });
  });

  it('fails with every problem on one line', async () => {
    writeFileSync(
      join(directory, 'sage.config.yaml'),
      'log:\n  level: loud\nruntime:\n  batchSize: 0\n',
    );
    const result = await createConfigFileCheck().run({ cwd: directory, env: {} });
    expect(result.status).toBe('fail');
    expect(result.detail).not.toContain('\n');
    expect(result.detail).toContain('log.level');
    expect(result.detail).toContain('runtime.batchSize');
    expect(result.fix).toContain('sage config show');
  });
});
