import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSageConfig } from '@sage/common';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, removeDirectory } from '../__fixtures__/memory-io.js';
import { toYaml } from './to-yaml.js';

describe('toYaml', () => {
  let directory: string | undefined;
  afterEach(() => {
    if (directory) removeDirectory(directory);
    directory = undefined;
  });

  it('writes nested objects and arrays in block style', () => {
    expect(toYaml({ log: { level: 'info' }, list: [1, { a: 'b', c: [true, null] }], empty: {}, none: [] })).toBe(
      ['log:', '  level: info', 'list:', '  - 1', '  - a: b', '    c:', '      - true', '      - null', 'empty: {}', 'none: []', ''].join('\n'),
    );
  });

  it('quotes strings that would read back as something else', () => {
    const text = toYaml({ a: 'yes', b: '1024', c: 'a: b', d: ' padded', e: 'x #y', f: '', g: 'end:', h: 'sk-p…(38 chars)' });
    expect(text).toContain('a: "yes"');
    expect(text).toContain('b: "1024"');
    expect(text).toContain('c: "a: b"');
    expect(text).toContain('f: ""');
    expect(text).toContain('g: "end:"');
    expect(text).toContain('h: "sk-p…(38 chars)"');
  });

  it('round-trips through the config loader', () => {
    directory = makeTempDirectory();
    const services = {
      llm: { model: 'gpt-4o-mini', temperature: 0.25, stop: ['\n', '#', 'a: b'], nested: [[1, 2], { 'odd key': 'null' }] },
      'quoted-key': { on: 'off', emptyList: [], emptyMap: {}, multiline: 'line one\nline "two"\ttab\u007f' },
    };
    const config = { log: { level: 'debug' as const }, redis: { url: 'redis://cache:6380' }, services };
    const file = join(directory, 'round-trip.yaml');
    writeFileSync(file, toYaml(config));
    const loaded = loadSageConfig(file);
    expect(loaded.services).toEqual(services);
    expect(loaded.log.level).toBe('debug');
    expect(loaded.redis.url).toBe('redis://cache:6380');
  });
});
