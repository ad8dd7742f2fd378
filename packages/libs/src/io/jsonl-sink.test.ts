import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ValidationError } from '@sage/common';
import { LocalEnvironment } from '@sage/kernel';
import { collect, runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import { quiet, useTempDirectory } from './__fixtures__/temp-directory.js';
import { JSONLBatch } from './jsonl-batch.js';
import { JSONLSink, type JSONLSinkConfig } from './jsonl-sink.js';

const directory = useTempDirectory();

function write(records: Iterable<unknown> | AsyncIterable<unknown>, config: JSONLSinkConfig, onError?: 'skip') {
  return runOperator('sink', JSONLSink, { records, config, options: { onError }, environment: quiet });
}

describe('JSONLSink', () => {
  it('creates an empty file for an empty stream', async () => {
    const filePath = join(directory(), 'empty.jsonl');
    await write([], { filePath });
    expect(readFileSync(filePath, 'utf8')).toBe('');
  });

  it('writes one JSON value per line, a string with newlines included', async () => {
    const filePath = join(directory(), 'out.jsonl');
    await write([{ text: 'two\nlines' }, 'plain', [1, 2]], { filePath });
    expect(readFileSync(filePath, 'utf8')).toBe('{"text":"two\\nlines"}\n"plain"\n[1,2]\n');
  });

  it('round-trips many records with JSONLBatch, from a slow async source, and appends', async () => {
    async function* records() {
      for (let id = 0; id < 2000; id++) {
        if (id % 500 === 0) await sleep(2);
        yield { id, label: `record ${id}` };
      }
    }
    const filePath = join(directory(), 'records.jsonl');
    await write(records(), { filePath });
    const appending = new LocalEnvironment('append', quiet);
    appending.fromBatch([{ id: 2000, label: 'last' }]).sink(JSONLSink, { filePath, append: true });
    await appending.submit({ autostop: true });
    const env = new LocalEnvironment('round-trip', quiet);
    const read = collect(env.fromBatch(JSONLBatch, { filePath }));
    await env.submit({ autostop: true });
    expect(read).toHaveLength(2001);
    expect(read[1999]).toEqual({ id: 1999, label: 'record 1999' });
    expect(read[2000]).toEqual({ id: 2000, label: 'last' });
  });

  it('fails on a record JSON cannot represent, or skips it under onError: skip', async () => {
    const filePath = join(directory(), 'bad.jsonl');
    await expect(write([{ ok: 1 }, () => 1], { filePath })).rejects.toThrow('JSONLSink: a record of type function has no JSON form');
    const { metrics } = await write([{ ok: 1 }, { big: 1n }, { ok: 2 }], { filePath }, 'skip');
    expect(metrics.skipped).toBe(1);
    expect(readFileSync(filePath, 'utf8')).toBe('{"ok":1}\n{"ok":2}\n');
  });

  it('checks its config on construction', () => {
    expect(() => new JSONLSink()).toThrow(ValidationError);
    expect(() => new JSONLSink({ filePath: 'x.jsonl', encoding: 'utf8' } as never)).toThrow(
      'JSONLSink: unknown option "encoding" (known: filePath, append)',
    );
  });
});
