import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobStore } from '@sage/kernel';
import { describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const examplesDirectory = fileURLToPath(new URL('.', import.meta.url));

interface Run {
  lines: string[];
  stderr: string;
  exitCode: number | null;
}

/** Runs `examples/<name>/<name>.ts` with tsx from the repository root, as the README says to. */
function runExample(name: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join('examples', name, `${name}.ts`)],
      { cwd: repositoryRoot, env: { ...process.env, SAGE_LOG_LEVEL: 'warn' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ lines: stdout.split('\n').filter((line) => line.length > 0), stderr, exitCode });
      },
    );
  });
}

/** Runs an example and checks it succeeded quietly; returns its stdout lines. */
async function linesOf(name: string): Promise<string[]> {
  const run = await runExample(name);
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  return run.lines;
}

const sorted = (lines: readonly string[]) => [...lines].sort();

describe.concurrent('examples', () => {
  it('hello_world prints the ten greetings upper-cased, in order', async () => {
    const expected = Array.from({ length: 10 }, (_, index) => `HELLO, WORLD! #${index + 1}`);
    expect(await linesOf('hello_world')).toEqual(expected);
  });

  it('wordcount prints the final counts, most frequent first', async () => {
    expect(await linesOf('wordcount')).toEqual([
      'dog: 3',
      'quick: 3',
      'brown: 2',
      'fox: 2',
      'lazy: 2',
      'dataflow: 1',
      'easy: 1',
      'jumps: 1',
      'makes: 1',
      'outpaces: 1',
      'pipeline: 1',
      'read: 1',
      'red: 1',
      'sleeps: 1',
      'sun: 1',
    ]);
  });

  it('flatmap expands orders into lines and lines into units', async () => {
    expect(await linesOf('flatmap')).toEqual([
      'order-1 apple 1/2',
      'order-1 apple 2/2',
      'order-1 bread 1/1',
      'order-3 pear 1/3',
      'order-3 pear 2/3',
      'order-3 pear 3/3',
    ]);
  });

  it('filter keeps the hot cities but Cairo', async () => {
    expect(await linesOf('filter')).toEqual(['Madrid is hot: 31°C', 'Delhi is hot: 38°C']);
  });

  it('comap handles each stream with its own method, each in order, and closes last', async () => {
    const lines = await linesOf('comap');
    const readings = ['reading: kitchen is at 21°C', 'reading: lab is at 19°C', 'reading: kitchen is at 24°C'];
    const alarms = ['alarm: door in lab', 'alarm: smoke in kitchen'];
    expect(sorted(lines)).toEqual(sorted([...readings, ...alarms, 'last readings: kitchen 24°C, lab 19°C']));
    expect(lines.filter((line) => line.startsWith('reading:'))).toEqual(readings);
    expect(lines.filter((line) => line.startsWith('alarm:'))).toEqual(alarms);
    expect(lines.at(-1)).toBe('last readings: kitchen 24°C, lab 19°C');
  });

  it('keyed_join joins each order with its user, whichever arrives first', async () => {
    const lines = await linesOf('keyed_join');
    expect(sorted(lines)).toEqual(
      sorted(['alice ordered a book for $12.50', 'bob ordered a lamp for $25.00', 'bob ordered a rug for $80.00']),
    );
    expect(lines.filter((line) => line.startsWith('bob'))).toEqual(['bob ordered a lamp for $25.00', 'bob ordered a rug for $80.00']);
  });

  it('keyed_state keeps a running summary per sensor', async () => {
    expect(await linesOf('keyed_state')).toEqual([
      'sensor-a: 20.0 | average 20.00 | last 20.0 | min 20.0 max 20.0',
      'sensor-b: 5.0 | average 5.00 | last 5.0 | min 5.0 max 5.0',
      'sensor-a: 22.0 | average 21.00 | last 20.0, 22.0 | min 20.0 max 22.0',
      'sensor-a: 27.0 | average 23.00 | last 20.0, 22.0, 27.0 | min 20.0 max 27.0',
      'sensor-b: 3.0 | average 4.00 | last 5.0, 3.0 | min 3.0 max 5.0',
      'sensor-a: 19.0 | average 22.00 | last 22.0, 27.0, 19.0 | min 19.0 max 27.0',
    ]);
  });

  it('windows counts clicks per user and event-time window, fires again for a late click, side-outputs a too-late one', async () => {
    const lines = await linesOf('windows');
    const late = 'late: {"user":"ada","ts":2000}';
    expect(lines.filter((line) => line !== late)).toEqual([
      'ada [0s, 10s) count 3',
      'bob [0s, 10s) count 1',
      'ada [0s, 10s) count 4',
      'ada [10s, 20s) count 1',
      'bob [10s, 20s) count 2',
    ]);
    expect(lines).toContain(late);
  });

  it('services translates through a service, skips the call that times out, and remembers the rest', async () => {
    const lines = await linesOf('services');
    const translated = ['translated: hello -> hallo', 'translated: world -> Welt', 'translated: cat -> Katze'];
    const skipped = 'skipped: serendipity (ServiceTimeoutError: service call dictionary.translate timed out after 100 ms)';
    expect(sorted(lines)).toEqual(sorted([...translated, skipped, 'remembered: hello, world, cat']));
    expect(lines.filter((line) => line.startsWith('translated:'))).toEqual(translated);
    expect(lines.indexOf('remembered: hello, world, cat')).toBeGreaterThan(lines.indexOf('translated: cat -> Katze'));
  });

  it('future_loop loops each counter until it reaches the limit', async () => {
    expect(sorted(await linesOf('future_loop'))).toEqual(
      sorted([
        'counter "one" (step 1) finished at 10 after 10 rounds',
        'counter "three" (step 3) finished at 12 after 4 rounds',
        'counter "five" (step 5) finished at 10 after 2 rounds',
        'counter "twelve" (step 12) finished at 12 after 1 round',
      ]),
    );
  });

  it('parallelism spreads records over instances, keeps keys on one instance, and prints the metrics', async () => {
    const lines = await linesOf('parallelism');
    expect(lines.slice(0, 4)).toEqual([0, 1, 2, 3].map((instance) => `square instance ${instance}: 25 records`));
    const keyLines = lines.slice(4, 7);
    expect(keyLines.map((line) => line.slice(0, line.indexOf(':')))).toEqual(['by_key instance 0', 'by_key instance 1', 'by_key instance 2']);
    const keys = keyLines.flatMap((line) => line.slice(line.indexOf('keys ') + 5).split(', '));
    expect(keys.sort()).toEqual(['0', '1', '4', '5', '6', '9']);
    expect(lines.slice(7)).toEqual([
      'numbers: parallelism 1, records in 0, out 100',
      'square: parallelism 4, records in 100, out 100',
      'by_key: parallelism 3, records in 100, out 100',
      'tally: parallelism 1, records in 100, out 0',
      'job parallelism: finished',
    ]);
  });
});

/** `sage <args>` as the README says to start it: the built CLI under tsx, from the repository root. */
const SAGE = ['--import', 'tsx', join('packages', 'cli', 'dist', 'bin.js')];

function runSage(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...SAGE, ...args], { cwd: repositoryRoot, env: { ...process.env, SAGE_LOG_LEVEL: 'warn', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ lines: stdout.split('\n').filter((line) => line.length > 0), stderr, exitCode });
    });
  });
}

/** Starts `sage worker <args>`; resolves once it serves jobs. */
function startWorker(args: readonly string[], env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...SAGE, 'worker', ...args], { cwd: repositoryRoot, env: { ...process.env, SAGE_LOG_LEVEL: 'warn', ...env } });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('(Ctrl+C to stop)')) resolve(child);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`sage worker exited with ${code}:\n${output}`)));
  });
}

describe('distributed/wordcount (Redis at REDIS_URL)', () => {
  it('prints the same counts run here and on two sage worker processes', async () => {
    const redis = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
    const prefix = `sage-test:examples:${randomBytes(4).toString('hex')}`;
    const pipeline = join('examples', 'distributed', 'wordcount', 'pipeline.ts');
    const output = { local: mkdtempSync(join(tmpdir(), 'wordcount-local-')), remote: mkdtempSync(join(tmpdir(), 'wordcount-remote-')) };
    const workers: ChildProcess[] = [];
    const store = await JobStore.connect({ redis, prefix });
    try {
      const local = await runSage(['run', pipeline], { WORDCOUNT_OUTPUT: output.local });
      expect(local.stderr).toBe('');
      expect(local.exitCode).toBe(0);
      expect(local.lines.slice(0, 4)).toEqual(['the: 700', 'a: 300', 'dog: 300', 'quick: 300']);
      expect(local.lines.at(-1)).toBe('39 distinct words, 5600 counted');

      const workerArgs = ['--redis', redis, '--prefix', prefix, '--code-dir', join('examples', 'distributed')];
      const env = { WORDCOUNT_OUTPUT: output.remote };
      workers.push(...(await Promise.all([startWorker(workerArgs, env), startWorker(workerArgs, env)])));
      const remote = await runSage(['run', pipeline, '--remote', '--redis', redis, '--prefix', prefix], env);
      expect(remote.stderr).toBe('');
      expect(remote.exitCode).toBe(0);
      expect(remote.lines).toEqual(local.lines);
      expect(await store.list({ limit: 10 })).toMatchObject([{ name: 'wordcount', status: 'finished' }]);
    } finally {
      await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve).kill('SIGTERM'))));
      for (const job of await store.list({ limit: 10 })) await store.delete(job.id, { force: true });
      await store.close();
      for (const directory of Object.values(output)) rmSync(directory, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('README', () => {
  it('lists every example with its command', () => {
    const readme = readFileSync(join(examplesDirectory, 'README.md'), 'utf8');
    const examples = readdirSync(examplesDirectory).filter(
      (entry) => entry !== 'node_modules' && !entry.startsWith('.') && statSync(join(examplesDirectory, entry)).isDirectory(),
    );
    expect(examples).toHaveLength(13);
    for (const name of examples.filter((entry) => entry !== 'distributed')) {
      expect(readme).toContain(`pnpm exec tsx examples/${name}/${name}.ts`);
    }
    // distributed/ holds examples that run on workers, each a pipeline.ts run with `sage run`.
    for (const name of readdirSync(join(examplesDirectory, 'distributed'))) {
      expect(readme).toContain(`pnpm exec sage run examples/distributed/${name}/pipeline.ts`);
    }
  });
});
