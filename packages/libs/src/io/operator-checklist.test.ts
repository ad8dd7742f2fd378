/**
 * The operator checklist of STYLE.md section 6, run over the io operators on the real local runtime.
 * Sources: empty input, one record, many, stopped early (a followed file while lines are still appended; a
 * large file), an error downstream, and input they cannot read. Sinks (`describeSinkChecklist`): empty input,
 * one record, many, an error from upstream, a never-ending source stopped early, a place they cannot write
 * to, and a user function that throws. Each operator runs as a thin subclass counting its `close()` calls;
 * after every job it must have been closed once (at most once when its `open()` failed) and hold no file
 * open. PostgresSink, which needs a server, runs the same sink checklist in
 * `postgres-sink.checklist.int.test.ts`.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalEnvironment } from '@sage/kernel';
import { collect } from '@sage/kernel/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEADLINE_MS, errorChain, type FunctionClass, openDescriptors, probed, withDeadline } from '../__fixtures__/operator-probe.js';
import { describeSinkChecklist, throwingOnThird } from './__fixtures__/sink-checklist.js';
import { quiet, useTempDirectory } from './__fixtures__/temp-directory.js';
import { CSVBatch } from './csv-batch.js';
import { DirectorySource } from './directory-source.js';
import { FileSink } from './file-sink.js';
import { FileSource } from './file-source.js';
import { IoError } from './io-error.js';
import { JSONLBatch } from './jsonl-batch.js';
import { JSONLSink } from './jsonl-sink.js';
import { TerminalSink } from './terminal-sink.js';

type Config = Record<string, unknown>;

const directory = useTempDirectory();

afterEach(() => {
  vi.restoreAllMocks();
});

/** The process holds none of `paths` open (checked where `/proc/self/fd` can tell). */
function expectNothingOpen(paths: readonly string[]): void {
  for (const path of paths) {
    const open = openDescriptors(path);
    if (open !== undefined) expect(open, `descriptors open on ${path}`).toBe(0);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sources

interface SourceInput {
  config: Config;
  /** What the source emits for this input, in order. */
  expected: unknown[];
  /** The files and directories it reads, none of which may stay open after the job. */
  paths: string[];
}

interface BadInput {
  config: Config;
  /** The `IoError` the job fails with: the file it names, the line when one is to blame, and its message. */
  filePath: string;
  lineNumber?: number;
  message: string;
  paths: string[];
}

interface SourceCase {
  name: string;
  fn: FunctionClass;
  /** Writes an input of `count` records into `root`. */
  input: (root: string, count: number) => SourceInput;
  bad: Array<{ what: string; input: (root: string) => BadInput }>;
}

/** Writes `content` to `name` in `root`, returning its path. */
function fileIn(root: string, name: string, content: string): string {
  const filePath = join(root, name);
  writeFileSync(filePath, content);
  return filePath;
}

const sources: SourceCase[] = [
  {
    name: 'FileSource',
    fn: FileSource,
    input: (root, count) => {
      const lines = Array.from({ length: count }, (_, i) => `line ${i}`);
      const filePath = fileIn(root, 'lines.txt', lines.map((line) => `${line}\n`).join(''));
      return { config: { filePath }, expected: lines, paths: [filePath] };
    },
    bad: [
      {
        what: 'a missing file',
        input: (root) => {
          const filePath = join(root, 'missing.txt');
          return { config: { filePath }, filePath, message: `FileSource: cannot open "${filePath}": ENOENT`, paths: [] };
        },
      },
    ],
  },
  {
    name: 'JSONLBatch',
    fn: JSONLBatch,
    input: (root, count) => {
      const records = Array.from({ length: count }, (_, seq) => ({ seq, text: `record ${seq}` }));
      const filePath = fileIn(root, 'records.jsonl', records.map((record) => `${JSON.stringify(record)}\n`).join(''));
      return { config: { filePath }, expected: records, paths: [filePath] };
    },
    bad: [
      {
        what: 'a missing file',
        input: (root) => {
          const filePath = join(root, 'missing.jsonl');
          return { config: { filePath }, filePath, message: `JSONLBatch: cannot open "${filePath}": ENOENT`, paths: [] };
        },
      },
      {
        what: 'a malformed line',
        input: (root) => {
          const filePath = fileIn(root, 'bad.jsonl', '{"seq":0}\n{"seq":1}\n{"seq":2,\n{"seq":3}\n');
          return { config: { filePath }, filePath, lineNumber: 3, message: `JSONLBatch: invalid JSON at ${filePath}:3: `, paths: [filePath] };
        },
      },
    ],
  },
  {
    name: 'CSVBatch',
    fn: CSVBatch,
    input: (root, count) => {
      // Quoted fields with the delimiter and doubled quotes: the rows are parsed, not split.
      const rows = Array.from({ length: count }, (_, seq) => ({ seq: String(seq), text: `text, ${seq} "quoted"` }));
      const body = rows.map((row) => `${row.seq},"${row.text.replaceAll('"', '""')}"\n`).join('');
      const filePath = fileIn(root, 'rows.csv', count === 0 ? '' : `seq,text\n${body}`);
      return { config: { filePath }, expected: rows, paths: [filePath] };
    },
    bad: [
      {
        what: 'a missing file',
        input: (root) => {
          const filePath = join(root, 'missing.csv');
          return { config: { filePath }, filePath, message: `CSVBatch: cannot open "${filePath}": ENOENT`, paths: [] };
        },
      },
      {
        what: 'a malformed line',
        input: (root) => {
          const filePath = fileIn(root, 'bad.csv', 'seq,text\n0,a\n1,b,extra\n2,c\n');
          return {
            config: { filePath },
            filePath,
            lineNumber: 3,
            message: `CSVBatch: malformed row at ${filePath}:3: Invalid Record Length`,
            paths: [filePath],
          };
        },
      },
    ],
  },
  {
    name: 'DirectorySource',
    fn: DirectorySource,
    input: (root, count) => {
      const directoryPath = join(root, 'docs');
      mkdirSync(directoryPath);
      const expected = Array.from({ length: count }, (_, seq) => ({ id: `doc-${String(seq).padStart(4, '0')}.txt`, text: `document ${seq}` }));
      const paths = expected.map((document) => fileIn(directoryPath, document.id, document.text));
      return { config: { directoryPath }, expected, paths: [directoryPath, ...paths] };
    },
    bad: [
      {
        what: 'a missing directory',
        input: (root) => {
          const directoryPath = join(root, 'missing');
          return {
            config: { directoryPath },
            filePath: directoryPath,
            message: `DirectorySource: cannot read directory "${directoryPath}": ENOENT`,
            paths: [],
          };
        },
      },
      {
        what: 'a malformed JSON file',
        input: (root) => {
          const directoryPath = join(root, 'docs');
          mkdirSync(directoryPath);
          fileIn(directoryPath, 'a.txt', 'fine');
          const filePath = fileIn(directoryPath, 'b.json', '{"text": "unfinished');
          return {
            config: { directoryPath },
            filePath,
            message: `DirectorySource: invalid JSON in "${filePath}": `,
            paths: [directoryPath, filePath],
          };
        },
      },
    ],
  },
];

describe.each(sources)('$name: the operator checklist', (op) => {
  async function run(count: number): Promise<{ expected: unknown[]; outputs: unknown[]; closes: number; paths: string[] }> {
    const { config, expected, paths } = op.input(directory(), count);
    const probe = probed(op.fn);
    const env = new LocalEnvironment('source-checklist', quiet);
    const outputs = collect(env.fromBatch(probe.fn, config, { name: op.name }));
    const result = await withDeadline(env.submit({ autostop: true }), 'job');
    expect(result.status).toBe('finished');
    expect(result.operators[op.name]?.recordsOut).toBe(expected.length);
    return { expected, outputs, closes: probe.closes(), paths };
  }

  it('empty input: the job finishes, nothing comes out, and the source closes', async () => {
    const { outputs, closes, paths } = await run(0);
    expect(outputs).toEqual([]);
    expect(closes).toBe(1);
    expectNothingOpen(paths);
  });

  it('one record: it comes out and the source closes', async () => {
    const { expected, outputs, closes, paths } = await run(1);
    expect(outputs).toHaveLength(1);
    expect(outputs).toMatchObject(expected);
    expect(closes).toBe(1);
    expectNothingOpen(paths);
  });

  it('many records: all come out, in order', async () => {
    const { expected, outputs, paths } = await run(op.name === 'DirectorySource' ? 150 : 3000);
    expect(outputs).toHaveLength(expected.length);
    expect(outputs).toMatchObject(expected);
    expectNothingOpen(paths);
  });

  it('stopped early: the job stops, the source closes, and what came out is the start of the input, in order', async () => {
    const { config, expected, paths } = op.input(directory(), op.name === 'DirectorySource' ? 150 : 3000);
    const probe = probed(op.fn);
    // Small batches and channels: the source waits on the sink, which holds the 8th record until the stop.
    const env = new LocalEnvironment('source-checklist-stopped', { ...quiet, batchSize: 4, channelCapacity: 2 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const outputs: unknown[] = [];
    env.fromBatch(probe.fn, config, { name: op.name }).sink(
      async (record) => {
        outputs.push(record);
        if (outputs.length === 8) await held;
      },
      { name: 'held_sink' },
    );
    await withDeadline(env.submit(), 'submit');
    await vi.waitFor(() => expect(outputs).toHaveLength(8), { timeout: DEADLINE_MS, interval: 5 });
    const stopping = env.stop();
    release();
    const result = await withDeadline(stopping, 'stop');
    expect(result?.status).toBe('stopped');
    expect(probe.closes()).toBe(1);
    expect(outputs.length).toBeLessThan(expected.length);
    expect(outputs).toMatchObject(expected.slice(0, outputs.length));
    expectNothingOpen(paths);
  });

  it('an error downstream fails the job naming that operator, and the source closes', async () => {
    const { config, paths } = op.input(directory(), op.name === 'DirectorySource' ? 150 : 3000);
    const probe = probed(op.fn);
    const env = new LocalEnvironment('source-checklist-downstream', quiet);
    let seen = 0;
    env.fromBatch(probe.fn, config, { name: op.name }).sink(
      () => {
        if (++seen === 3) throw new Error('downstream broke');
      },
      { name: 'flaky_downstream' },
    );
    await expect(withDeadline(env.submit({ autostop: true }), 'failing job')).rejects.toThrow(/operator "flaky_downstream" failed.*downstream broke/);
    expect(probe.closes()).toBe(1);
    expectNothingOpen(paths);
  });

  for (const { what, input } of op.bad) {
    it(`input it cannot read (${what}) fails the job with an IoError naming the file${what.includes('line') ? ' and line' : ''}`, async () => {
      const bad = input(directory());
      const probe = probed(op.fn);
      const env = new LocalEnvironment('source-checklist-bad', quiet);
      collect(env.fromBatch(probe.fn, bad.config, { name: op.name }));
      const error = await withDeadline(env.submit({ autostop: true }), 'failing job').then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(IoError);
      expect((error as IoError).message).toContain(bad.message);
      expect(error).toMatchObject({ filePath: bad.filePath, lineNumber: bad.lineNumber });
      // The kernel closes a function also after its open() failed: exactly once, holding nothing.
      expect(probe.closes()).toBe(1);
      expectNothingOpen(bad.paths);
    });
  }
});

describe('FileSource with follow: true, a never-ending source', () => {
  const followed = (filePath: string) => ({ filePath, follow: true, pollIntervalMs: 20 });

  it('stops when asked while lines are still appended: the source closes and nothing arrives after the stop', async () => {
    const filePath = fileIn(directory(), 'app.log', 'line 0\nline 1\n');
    let written = 2;
    const appender = setInterval(() => appendFileSync(filePath, `line ${written++}\n`), 2);
    try {
      const probe = probed(FileSource);
      const env = new LocalEnvironment('follow-stopped', quiet);
      const lines = collect(env.fromBatch(probe.fn, followed(filePath), { name: 'FileSource' }));
      expect((await withDeadline(env.submit(), 'submit')).status).toBe('running');
      await vi.waitFor(() => expect(lines.length).toBeGreaterThanOrEqual(20), { timeout: DEADLINE_MS, interval: 5 });
      const result = await withDeadline(env.stop(), 'stop');
      expect(result?.status).toBe('stopped');
      expect(probe.closes()).toBe(1);
      expectNothingOpen([filePath]);
      const arrived = lines.length;
      expect(lines).toEqual(Array.from({ length: arrived }, (_, i) => `line ${i}`));

      // Lines appended after the stop reach a new follower of the file, and never the stopped job.
      const writtenAtStop = written;
      const witness = new LocalEnvironment('follow-witness', quiet);
      const witnessed = collect(witness.fromBatch(FileSource, followed(filePath)));
      await withDeadline(witness.submit(), 'submit');
      await vi.waitFor(() => expect(witnessed.length).toBeGreaterThan(writtenAtStop + 10), { timeout: DEADLINE_MS, interval: 5 });
      await withDeadline(witness.stop(), 'stop');
      expect(lines).toHaveLength(arrived);
    } finally {
      clearInterval(appender);
    }
  });

  it('closes and lets go of the file when an operator downstream fails', async () => {
    const filePath = fileIn(directory(), 'app.log', 'a\nb\nc\nd\n');
    const probe = probed(FileSource);
    const env = new LocalEnvironment('follow-downstream', quiet);
    env.fromBatch(probe.fn, followed(filePath), { name: 'FileSource' }).sink(
      (line) => {
        if (line === 'c') throw new Error('downstream broke');
      },
      { name: 'flaky_downstream' },
    );
    await withDeadline(env.submit(), 'submit');
    await expect(withDeadline(env.awaitTermination(), 'failing job')).rejects.toThrow(/operator "flaky_downstream" failed.*downstream broke/);
    expect(probe.closes()).toBe(1);
    expectNothingOpen([filePath]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Sinks

/** Parses the lines of a text sink's output; fails unless every line is complete (ends with its newline). */
function parseLines(text: string): unknown[] {
  if (text === '') return [];
  expect(text.endsWith('\n'), 'the last line is complete').toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line));
}

function fileSinkCase(name: string, fn: typeof FileSink | typeof JSONLSink, throwing: boolean) {
  return {
    name,
    fn,
    target: () => join(directory(), 'out.txt'),
    config: (filePath: string) => ({ filePath }),
    read: async (filePath: string) => parseLines(readFileSync(filePath, 'utf8')),
    // Documented: the file is created (or truncated) in open(), so no records leave an empty file.
    expectEmpty: async (filePath: string) => expect(readFileSync(filePath, 'utf8')).toBe(''),
    expectReleased: async (filePath: string) => expectNothingOpen([filePath]),
    cannotWrite: [
      {
        what: 'a directory that does not exist',
        target: () => join(directory(), 'no', 'such', 'out.txt'),
        config: (filePath: string) => ({ filePath }),
        check: (error: unknown, filePath: string) => {
          expect(error).toBeInstanceOf(IoError);
          expect(error).toMatchObject({ filePath, message: `${name}: cannot open "${filePath}" for writing: ENOENT: no such file or directory, open '${filePath}'` });
          expect(existsSync(join(directory(), 'no'))).toBe(false);
        },
      },
      {
        what: 'a path that is a directory',
        target: () => directory(),
        config: (filePath: string) => ({ filePath }),
        check: (error: unknown, filePath: string) => {
          expect(error).toBeInstanceOf(IoError);
          expect(error).toMatchObject({ filePath, message: `${name}: cannot open "${filePath}" for writing: EISDIR: illegal operation on a directory, open '${filePath}'` });
        },
      },
    ],
    throwing: throwing
      ? [{ what: 'format', config: (filePath: string) => ({ filePath, format: throwingOnThird('format') }), error: new RegExp(`operator "${name}" failed.*format boom`) }]
      : [],
  };
}

describeSinkChecklist(fileSinkCase('FileSink', FileSink, true));
describeSinkChecklist(fileSinkCase('JSONLSink', JSONLSink, false));

describe('FileSink and JSONLSink with append: true', () => {
  it.each([FileSink, JSONLSink])('%o: an empty job leaves an existing file as it was', async (fn) => {
    const filePath = fileIn(directory(), 'kept.txt', '{"kept":true}\n');
    const env = new LocalEnvironment('append-empty', quiet);
    env.fromBatch([]).sink(fn, { filePath, append: true });
    expect((await withDeadline(env.submit({ autostop: true }), 'job')).status).toBe('finished');
    expect(readFileSync(filePath, 'utf8')).toBe('{"kept":true}\n');
    expectNothingOpen([filePath]);
  });
});

/** What TerminalSink printed, captured from `process.stdout.write`, and stdout's listeners before the test. */
interface CapturedStdout {
  chunks: string[];
  listeners: { error: number; drain: number };
}

/** Captures stdout for the test; `fail` makes it fail like a pipe whose reader is gone, after the 3rd write. */
function captureStdout(fail = false): CapturedStdout {
  const captured: CapturedStdout = {
    chunks: [],
    listeners: { error: process.stdout.listenerCount('error'), drain: process.stdout.listenerCount('drain') },
  };
  let failed = false;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    if (fail && (failed || captured.chunks.length === 3)) {
      // As a synchronous pipe write reports EPIPE: write() returns, and the stream emits 'error' once, a tick later.
      if (!failed) process.nextTick(() => process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' })));
      failed = true;
      return true;
    }
    captured.chunks.push(String(chunk));
    return true;
  });
  return captured;
}

describeSinkChecklist<CapturedStdout>({
  name: 'TerminalSink',
  fn: TerminalSink,
  target: () => captureStdout(),
  config: () => ({}),
  read: async ({ chunks }) => parseLines(chunks.join('')),
  expectEmpty: async ({ chunks }) => expect(chunks).toEqual([]),
  expectReleased: async ({ listeners }) => {
    expect(process.stdout.listenerCount('error')).toBe(listeners.error);
    expect(process.stdout.listenerCount('drain')).toBe(listeners.drain);
  },
  cannotWrite: [
    {
      what: 'stdout failing like a closed pipe',
      target: () => captureStdout(true),
      config: () => ({}),
      check: (error, { chunks }) => {
        const ioError = errorChain(error).find((cause) => cause instanceof IoError);
        expect(ioError, 'an IoError in the error chain').toBeDefined();
        expect(ioError).toMatchObject({ filePath: '<stdout>', message: 'TerminalSink: cannot write to stdout: write EPIPE' });
        expect(chunks).toHaveLength(3);
      },
    },
  ],
  throwing: [{ what: 'format', config: () => ({ format: throwingOnThird('format') }), error: /operator "TerminalSink" failed.*format boom/ }],
});

