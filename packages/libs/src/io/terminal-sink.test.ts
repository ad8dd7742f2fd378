import { LocalEnvironment } from '@sage/kernel';
import { runOperator } from '@sage/kernel/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quiet } from './__fixtures__/temp-directory.js';
import { IoError } from './io-error.js';
import { TerminalSink } from './terminal-sink.js';

/** Captures what is written to stdout while `run` runs. */
async function captureStdout(run: () => Promise<unknown>): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('TerminalSink', () => {
  it('prints strings as they are and other values as compact JSON, one per line', async () => {
    const printed = await captureStdout(() =>
      runOperator('sink', TerminalSink, { records: ['hello', { a: 1, b: [true] }, 3], environment: quiet }),
    );
    expect(printed).toBe('hello\n{"a":1,"b":[true]}\n3\n');
  });

  it('prints answer records as question, answer, sources and timings by default', async () => {
    const answer = { query: 'Capital of Italy?', generated: 'Rome. [1]', retrievalResults: [{ id: 'it', text: 'x', score: 0.5, metadata: {} }], citations: [{ id: 'it' }], timings: { DenseRetriever: 2 } };
    const printed = await captureStdout(() => runOperator('sink', TerminalSink, { records: [answer, { query: 'not answered' }], environment: quiet }));
    expect(printed).toBe('Q: Capital of Italy?\nA: Rome. [1]\n   sources: [1] it* 0.50\n   timings: DenseRetriever 2.0 ms\n{"query":"not answered"}\n');
  });

  it('uses the format function when given', async () => {
    const format = (record: number) => `value=${record}`;
    const printed = await captureStdout(() =>
      runOperator('sink', TerminalSink, { records: [1, 2], config: { format }, environment: quiet }),
    );
    expect(printed).toBe('value=1\nvalue=2\n');
  });

  it('prints a typed stream from a pipeline, with a typed format function', async () => {
    interface Reading {
      sensor: string;
      value: number;
    }
    const env = new LocalEnvironment('terminal', quiet);
    const readings = env.fromBatch<Reading>([{ sensor: 'a', value: 1.5 }]);
    readings.sink(TerminalSink, { format: (reading: Reading) => `${reading.sensor}=${reading.value}` });
    readings.sink(TerminalSink);
    const printed = await captureStdout(() => env.submit({ autostop: true }));
    expect(printed.split('\n').sort()).toEqual(['', 'a=1.5', '{"sensor":"a","value":1.5}']);
  });

  it('prints nothing for an empty stream', async () => {
    expect(await captureStdout(() => runOperator('sink', TerminalSink, { records: [], environment: quiet }))).toBe('');
  });

  it('waits for stdout to drain when its buffer is full', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => false);
    const sink = new TerminalSink();
    const pending = sink.execute('x');
    expect(pending).toBeInstanceOf(Promise);
    let drained = false;
    void (pending as Promise<void>).then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    process.stdout.emit('drain');
    await pending;
    expect(drained).toBe(true);
  });

  it('fails with an IoError naming stdout when stdout reports an error instead of draining', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => false);
    const sink = new TerminalSink();
    const pending = sink.execute('x') as Promise<void>;
    process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(pending).rejects.toThrow(IoError);
    await expect(pending).rejects.toMatchObject({ filePath: '<stdout>', message: 'TerminalSink: cannot write to stdout: write EPIPE' });
    expect(() => sink.execute('y')).toThrow('TerminalSink: cannot write to stdout: write EPIPE');
  });

  it('checks its config on construction', () => {
    expect(() => new TerminalSink({ format: 'json' } as never)).toThrow('TerminalSink: option "format" must be a function, got "json"');
    expect(() => new TerminalSink({ colour: true } as never)).toThrow('TerminalSink: unknown option "colour" (known: format)');
  });
});
