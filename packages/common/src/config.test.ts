// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${VAR} text in config files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, loadEnvFile, parseConfig } from './config.js';
import type { ConfigIssue } from './config-issues.js';
import { expandEnv } from './env-expansion.js';
import { ConfigError } from './errors.js';
import { loadSageConfig, sageConfigSchema } from './sage-config.js';
import { isSecretKey, maskSecret, redactSecrets } from './secrets.js';

const directory = mkdtempSync(join(tmpdir(), 'sage-config-'));
let fileCount = 0;

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Writes `text` to a fresh file in the temp directory and returns its path. */
function writeFile(text: string, name = `config-${++fileCount}.yaml`): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

/** The ConfigError thrown by `action` (fails the test when nothing or something else is thrown). */
function configErrorFrom(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

const jobsSchema = z.object({
  name: z.string(),
  jobs: z.array(z.object({ name: z.string(), parallelism: z.number().int().min(1) })),
});

describe('expandEnv', () => {
  it('expands ${VAR} from the given variables', () => {
    expect(expandEnv('url: ${HOST}:${PORT}', { HOST: 'localhost', PORT: '6379' })).toBe('url: localhost:6379');
  });

  it('uses the default when the variable is unset or empty, and the value otherwise', () => {
    expect(expandEnv('${LEVEL:-info}', {})).toBe('info');
    expect(expandEnv('${LEVEL:-info}', { LEVEL: '' })).toBe('info');
    expect(expandEnv('${LEVEL:-info}', { LEVEL: 'debug' })).toBe('debug');
    expect(expandEnv('${EMPTY_DEFAULT:-}', {})).toBe('');
  });

  it('expands a set-but-empty variable to the empty string', () => {
    expect(expandEnv('[${EMPTY}]', { EMPTY: '' })).toBe('[]');
  });

  it('turns $${...} into a literal ${...} and leaves a bare $VAR alone', () => {
    expect(expandEnv('prompt: $${name} costs $5 and $HOME', {})).toBe('prompt: ${name} costs $5 and $HOME');
  });

  it('does not expand values a second time', () => {
    expect(expandEnv('${OUTER}', { OUTER: '${INNER}', INNER: 'no' })).toBe('${INNER}');
  });

  it('names the unset variable and where it appeared', () => {
    const error = configErrorFrom(() => expandEnv('a: 1\nkey: ${OPENAI_API_KEY}\n', {}, 'sage.config.yaml'));
    expect(error.code).toBe('SAGE_CONFIG');
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(error.message).toContain('sage.config.yaml:2:6');
    expect(error.details.missing).toEqual(['OPENAI_API_KEY']);
  });

  it('reports every unset variable, one line each, with line numbers when there is no file name', () => {
    const error = configErrorFrom(() => expandEnv('${FIRST}\nx ${SECOND}', {}));
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('FIRST');
    expect(lines[0]).toContain('line 1, column 1');
    expect(lines[1]).toContain('SECOND');
    expect(lines[1]).toContain('line 2, column 3');
  });

  it('rejects malformed references', () => {
    expect(configErrorFrom(() => expandEnv('${not valid}', {})).message).toContain('invalid reference "${not valid}"');
    expect(configErrorFrom(() => expandEnv('${OPEN\n}', {})).message).toContain('unterminated');
  });
});

describe('loadConfig', () => {
  it('reads, expands and validates a YAML file', () => {
    const file = writeFile('name: ${JOB_NAME}\njobs:\n  - name: ingest\n    parallelism: ${PARALLELISM:-4}\n');
    const config = loadConfig(jobsSchema, { file, env: { JOB_NAME: 'nightly' } });
    expect(config).toEqual({ name: 'nightly', jobs: [{ name: 'ingest', parallelism: 4 }] });
  });

  it('keeps an escaped $${...} literal', () => {
    const file = writeFile('name: "Hello $${user}"\njobs: []\n');
    expect(loadConfig(jobsSchema, { file, env: {} }).name).toBe('Hello ${user}');
  });

  it('does not expand variables inside YAML comments', () => {
    const file = writeFile('# api: ${NOT_SET_ANYWHERE}\nname: x # ${ALSO_NOT_SET}\njobs: []\n');
    expect(loadConfig(jobsSchema, { file, env: {} })).toEqual({ name: 'x', jobs: [] });
  });

  it('reports an unset variable with the file and line', () => {
    const file = writeFile('name: x\njobs:\n  - name: ${JOB_NAME}\n');
    const error = configErrorFrom(() => loadConfig(jobsSchema, { file, env: {} }));
    expect(error.message).toBe(
      `${file}:3:11: environment variable JOB_NAME is not set (set it, put it in .env, or write \${JOB_NAME:-default})`,
    );
  });

  it('reports a missing file', () => {
    const file = join(directory, 'does-not-exist.yaml');
    const error = configErrorFrom(() => loadConfig(jobsSchema, { file }));
    expect(error.message).toBe(`config file not found: ${file}`);
  });

  it('reports a YAML syntax error with the file, line and column', () => {
    const file = writeFile('name: x\njobs:\n  - name: a\n    parallelism: 2: 3\n');
    const error = configErrorFrom(() => loadConfig(jobsSchema, { file, env: {} }));
    expect(error.message).toMatch(new RegExp(`^${escapeRegExp(file)}:4:\\d+: YAML syntax error: `));
    expect(error.details.file).toBe(file);
  });

  it('reports syntax error positions in the file as written, before expansion', () => {
    const file = writeFile('name: ${LONG_VALUE} bad: mapping\n');
    const error = configErrorFrom(() => loadConfig(jobsSchema, { file, env: { LONG_VALUE: 'x'.repeat(40) } }));
    expect(error.message).toContain(`${file}:1:`);
  });

  it('reports a validation error with file, key path, expected shape and received value', () => {
    const file = writeFile('name: nightly\njobs:\n  - name: ingest\n    parallelism: four\n');
    const error = configErrorFrom(() => loadConfig(jobsSchema, { file, env: {} }));
    expect(error.message).toBe(`${file}:4:18: jobs[0].parallelism: expected number, received "four"`);
    const [issue] = error.details.issues as ConfigIssue[];
    expect(issue).toMatchObject({
      path: 'jobs[0].parallelism',
      expected: 'expected number',
      received: '"four"',
      line: 4,
    });
  });

  it('gives one line per problem, top to bottom', () => {
    const file = writeFile('jobs:\n  - parallelism: 0\n  - name: b\n    parallelism: 1.5\n');
    const lines = configErrorFrom(() => loadConfig(jobsSchema, { file, env: {} })).message.split('\n');
    expect(lines).toEqual([
      `${file}:1:1: name: expected string, received nothing (missing)`,
      `${file}:2:5: jobs[0].name: expected string, received nothing (missing)`,
      `${file}:2:18: jobs[0].parallelism: expected number >= 1, received 0`,
      `${file}:4:18: jobs[1].parallelism: expected integer, received 1.5`,
    ]);
  });

  it('maps columns after an expansion back to the file as written', () => {
    const file = writeFile('numbers: [${FIRST}, oops]\n');
    const schema = z.object({ numbers: z.array(z.number()) });
    const error = configErrorFrom(() => loadConfig(schema, { file, env: { FIRST: '1' } }));
    expect(error.message).toBe(`${file}:1:21: numbers[1]: expected number, received "oops"`);
  });

  it('truncates long received values', () => {
    const file = writeFile(`name: x\njobs:\n  - name: a\n    parallelism: "${'9'.repeat(500)}"\n`);
    const error = configErrorFrom(() => loadConfig(jobsSchema, { file, env: {} }));
    expect(error.message).toContain('… (502 chars)');
    expect(error.message.length).toBeLessThan(300);
  });

  it('masks received values under secret keys', () => {
    const file = writeFile('apiKey: sk-live-0123456789abcdef\n');
    const schema = z.object({ apiKey: z.string().startsWith('sk-test-') });
    const error = configErrorFrom(() => loadConfig(schema, { file, env: {} }));
    expect(error.message).toContain('apiKey: expected string starting with "sk-test-", received "sk-l…(24 chars)"');
    expect(error.message).not.toContain('0123456789abcdef');
  });

  it('merges overrides over the file: objects by key, arrays and scalars replaced, undefined ignored', () => {
    const file = writeFile('name: from-file\njobs:\n  - name: a\n    parallelism: 1\n');
    const config = loadConfig(jobsSchema, {
      file,
      env: {},
      overrides: { name: undefined, jobs: [{ name: 'b', parallelism: 8 }] },
    });
    expect(config).toEqual({ name: 'from-file', jobs: [{ name: 'b', parallelism: 8 }] });

    const runtime = loadConfig(sageConfigSchema, {
      file: writeFile('runtime:\n  batchSize: 64\n'),
      env: {},
      overrides: { runtime: { lingerMs: 0 } },
    });
    expect(runtime.runtime).toEqual({ batchSize: 64, channelCapacity: 16, lingerMs: 0 });
  });

  it('says when an invalid value came from the overrides', () => {
    const file = writeFile('name: x\njobs: []\n');
    const error = configErrorFrom(() =>
      loadConfig(jobsSchema, { file, env: {}, overrides: { name: 42 as unknown as string } }),
    );
    expect(error.message).toBe(`${file} (overrides): name: expected string, received 42`);
  });

  it('validates overrides alone when there is no file', () => {
    expect(loadConfig(sageConfigSchema, { overrides: { log: { level: 'debug' } } }).log.level).toBe('debug');
  });

  it('points out unknown keys with a suggestion', () => {
    const file = writeFile('runtime:\n  batchsize: 64\n');
    const error = configErrorFrom(() => loadConfig(sageConfigSchema, { file, env: {} }));
    expect(error.message).toBe(
      `${file}:2:3: runtime.batchsize: unknown key (did you mean "batchSize"? known keys: batchSize, channelCapacity, lingerMs), received 64`,
    );
  });
});

describe('parseConfig', () => {
  it('returns the typed value', () => {
    expect(parseConfig(jobsSchema, { name: 'x', jobs: [] }, 'inline')).toEqual({ name: 'x', jobs: [] });
  });

  it('names the source in errors', () => {
    const error = configErrorFrom(() => parseConfig(jobsSchema, { name: 'x', jobs: [{ name: 'a' }] }, '--config'));
    expect(error.message).toBe('--config: jobs[0].parallelism: expected number, received nothing (missing)');
  });

  it('describes a wrong root', () => {
    const error = configErrorFrom(() => parseConfig(jobsSchema, ['not', 'an', 'object'], 'inline'));
    expect(error.message).toBe('inline: (root): expected object, received ["not","an","object"]');
  });
});

describe('loadEnvFile', () => {
  const names = ['SAGE_TEST_FROM_DOTENV', 'SAGE_TEST_ALREADY_SET', 'SAGE_TEST_DOTENV_KEY'];
  afterEach(() => {
    for (const name of names) delete process.env[name];
  });

  it('loads variables without overriding those already set', () => {
    const path = writeFile('SAGE_TEST_FROM_DOTENV=loaded\nSAGE_TEST_ALREADY_SET=from-file\n', '.env.override-test');
    process.env.SAGE_TEST_ALREADY_SET = 'from-shell';
    const applied = loadEnvFile(path);
    expect(applied).toEqual({ SAGE_TEST_FROM_DOTENV: 'loaded' });
    expect(process.env.SAGE_TEST_FROM_DOTENV).toBe('loaded');
    expect(process.env.SAGE_TEST_ALREADY_SET).toBe('from-shell');
  });

  it('treats a missing file as empty', () => {
    expect(loadEnvFile(join(directory, 'no-such.env'))).toEqual({});
  });

  it('fills a given target instead of process.env', () => {
    const path = writeFile('SAGE_TEST_FROM_DOTENV=loaded\n', '.env.target-test');
    const target: Record<string, string | undefined> = {};
    loadEnvFile(path, target);
    expect(target).toEqual({ SAGE_TEST_FROM_DOTENV: 'loaded' });
    expect(process.env.SAGE_TEST_FROM_DOTENV).toBeUndefined();
  });

  it('feeds loadConfig expansion, with explicit env winning and left unmodified', () => {
    const dotenv = writeFile('SAGE_TEST_DOTENV_KEY=from-dotenv\nSAGE_TEST_ALREADY_SET=from-dotenv\n', '.env.load-test');
    const file = writeFile('name: ${SAGE_TEST_DOTENV_KEY}-${SAGE_TEST_ALREADY_SET}\njobs: []\n');
    const env = { SAGE_TEST_ALREADY_SET: 'explicit' };
    expect(loadConfig(jobsSchema, { file, env, dotenv }).name).toBe('from-dotenv-explicit');
    expect(env).toEqual({ SAGE_TEST_ALREADY_SET: 'explicit' });
    expect(process.env.SAGE_TEST_DOTENV_KEY).toBeUndefined();
  });

  it('fills process.env for loadConfig when no env is given', () => {
    const dotenv = writeFile('SAGE_TEST_DOTENV_KEY=from-dotenv\n', '.env.process-test');
    const file = writeFile('name: ${SAGE_TEST_DOTENV_KEY}\njobs: []\n');
    expect(loadConfig(jobsSchema, { file, dotenv }).name).toBe('from-dotenv');
    expect(process.env.SAGE_TEST_DOTENV_KEY).toBe('from-dotenv');
  });
});

describe('sageConfigSchema and loadSageConfig', () => {
  const defaults = {
    log: { level: 'info' },
    runtime: { batchSize: 1024, channelCapacity: 16, lingerMs: 5 },
    redis: { url: 'redis://127.0.0.1:6379' },
    services: {},
  };

  it('fills every default from an empty object', () => {
    expect(parseConfig(sageConfigSchema, {}, 'empty')).toEqual(defaults);
  });

  it('returns the defaults when the directory has no sage.config.yaml', () => {
    const empty = join(directory, 'no-config-here');
    mkdirSync(empty, { recursive: true });
    expect(loadSageConfig(undefined, { cwd: empty, env: {} })).toEqual(defaults);
  });

  it('reads sage.config.yaml from the directory, keeping defaults for what it leaves out', () => {
    const project = join(directory, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'sage.config.yaml'),
      'log:\n  level: ${LOG_LEVEL:-warn}\nruntime:\n  batchSize: 256\nservices:\n  llm:\n    model: small\n',
    );
    const config = loadSageConfig(undefined, { cwd: project, env: {} });
    expect(config).toEqual({
      ...defaults,
      log: { level: 'warn' },
      runtime: { ...defaults.runtime, batchSize: 256 },
      services: { llm: { model: 'small' } },
    });
    expect(loadSageConfig(undefined, { cwd: project, env: { LOG_LEVEL: 'debug' } }).log.level).toBe('debug');
  });

  it('loads an empty file as the defaults', () => {
    expect(loadSageConfig(writeFile(''), { env: {} })).toEqual(defaults);
  });

  it('requires a named file to exist', () => {
    const error = configErrorFrom(() => loadSageConfig(join(directory, 'missing.yaml')));
    expect(error.message).toContain('config file not found');
  });

  it('checks the ranges', () => {
    const file = writeFile('runtime:\n  batchSize: 100000\n  channelCapacity: 0\nredis:\n  url: http://localhost\n');
    const lines = configErrorFrom(() => loadSageConfig(file, { env: {} })).message.split('\n');
    expect(lines).toEqual([
      `${file}:2:14: runtime.batchSize: expected number <= 65536, received 100000`,
      `${file}:3:20: runtime.channelCapacity: expected number >= 1, received 0`,
      `${file}:5:8: redis.url: expected URL with protocol matching /^rediss?$/, received "http://localhost"`,
    ]);
  });
});

describe('secret masking', () => {
  it('recognises secret keys', () => {
    for (const key of [
      'OPENAI_API_KEY',
      'apiKey',
      'token',
      'GITHUB_TOKEN',
      'clientSecret',
      'PASSWORD',
      'passwd',
      'credentials',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ['HOME', 'PATH', 'batchSize', 'url']) expect(isSecretKey(key), key).toBe(false);
  });

  it('shows the first 4 characters and the length, never the whole value', () => {
    expect(maskSecret('sk-proj-abcdefghijklmnop')).toBe('sk-p…(24 chars)');
    expect(maskSecret('12345678')).toBe('1234…(8 chars)');
    expect(maskSecret('1234567')).toBe('****');
    expect(maskSecret('')).toBe('****');
  });

  it('redacts a record without changing it', () => {
    const env = {
      OPENAI_API_KEY: 'sk-proj-abcdefghijklmnop',
      DB_PASSWORD: 'hunter2',
      HOME: '/home/sage',
      REDIS_URL: 'redis://default:s3cret-pass@cache:6379/0',
      UNSET_TOKEN: undefined,
    };
    expect(redactSecrets(env)).toEqual({
      OPENAI_API_KEY: 'sk-p…(24 chars)',
      DB_PASSWORD: '****',
      HOME: '/home/sage',
      REDIS_URL: 'redis://default:****@cache:6379/0',
      UNSET_TOKEN: undefined,
    });
    expect(env.OPENAI_API_KEY).toBe('sk-proj-abcdefghijklmnop');
  });

  it('redacts nested config, including everything under a secret key', () => {
    const config = {
      services: { llm: { model: 'small', apiKey: 'abcdefghijkl', credentials: { user: 'sage-user', pin: 12345678 } } },
      list: [{ token: 'abcdefghij' }],
    };
    expect(redactSecrets(config)).toEqual({
      services: {
        llm: {
          model: 'small',
          apiKey: 'abcd…(12 chars)',
          credentials: { user: 'sage…(9 chars)', pin: '1234…(8 chars)' },
        },
      },
      list: [{ token: 'abcd…(10 chars)' }],
    });
  });

  it('redacts process.env', () => {
    process.env.SAGE_TEST_SECRET_TOKEN = 'abcdefghijklmnop';
    try {
      expect(redactSecrets(process.env).SAGE_TEST_SECRET_TOKEN).toBe('abcd…(16 chars)');
    } finally {
      delete process.env.SAGE_TEST_SECRET_TOKEN;
    }
  });

  it('handles cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ name: 'x', self: '[circular]' });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
