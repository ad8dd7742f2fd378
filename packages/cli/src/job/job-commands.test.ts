import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JobGraphSummary, JobStore } from '@sage/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDirectory, memoryIo, removeDirectory } from '../__fixtures__/memory-io.js';
import { runCli } from '../cli.js';

/** The Redis the test environment provides; jobs go under a prefix of this file's own. */
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const prefix = `sage-test:cli-job:${randomBytes(4).toString('hex')}`;
const graph: JobGraphSummary = {
  operators: [
    { name: 'lines', kind: 'collection', parallelism: 1 },
    { name: 'words', kind: 'flatMap', parallelism: 2 },
  ],
  edges: [{ from: 'lines', to: 'words', partitioner: 'rebalance' }],
};

let directory: string;
let store: JobStore;
let time = 1_800_000_000_000;
const ids: Record<string, string> = {};

/** `sage job …` against the test's Redis and prefix. */
async function sage(args: string[], env: Record<string, string> = {}) {
  const io = memoryIo(directory, env);
  const code = await runCli(['job', ...args, '--redis', REDIS_URL, '--prefix', prefix], io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

beforeAll(async () => {
  directory = makeTempDirectory();
  store = await JobStore.connect({ redis: REDIS_URL, prefix, now: () => time });
  for (const name of ['ingest', 'wordcount', 'broken', 'waiting']) {
    ids[name] = (await store.create({ name, graph })).id;
    time += 1000;
  }
  await store.transition(ids.ingest, 'running');
  time += 2500;
  await store.transition(ids.ingest, 'finished');
  await store.transition(ids.wordcount, 'running');
  await store.mergeMetrics(ids.wordcount, { words: { recordsIn: 10, recordsOut: 42, batchesIn: 2, busyMs: 1.5 } });
  await store.transition(ids.broken, 'running');
  await store.transition(ids.broken, 'failed', { error: { message: 'operator "words" failed on record 3: boom', code: 'SAGE_OPERATOR' } });
  await store.appendLogs(
    ids.wordcount,
    ['starting', 'read 10 lines', 'wrote 42 words'].map((message) => ({ message, source: 'worker-1' })),
  );
});

afterAll(async () => {
  for (const job of await store.list({ limit: 1000 })) await store.delete(job.id, { force: true });
  expect(await store.list()).toEqual([]);
  await store.close();
  removeDirectory(directory);
});

describe('sage job list', () => {
  it('prints a table, newest first', async () => {
    const { code, stdout } = await sage(['list']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+SUBMITTED\s+DURATION$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      [ids.waiting, 'waiting', 'submitted'],
      [ids.broken, 'broken', 'failed'],
      [ids.wordcount, 'wordcount', 'running'],
      [ids.ingest, 'ingest', 'finished'],
    ]);
    expect(lines[4]).toContain(new Date(1_800_000_000_000).toISOString());
    expect(lines[4]).toMatch(/2\.5 s$/);
  });

  it('filters by status and prints JSON', async () => {
    const { code, stdout } = await sage(['list', '--status', 'failed', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({ id: ids.broken, status: 'failed', error: { message: 'operator "words" failed on record 3: boom', code: 'SAGE_OPERATOR' } }),
    ]);
    const none = await sage(['list', '--status', 'stopped']);
    expect(none.stdout).toBe(`no stopped jobs in Redis at ${REDIS_URL} (prefix ${prefix})\n`);
  });

  it('refuses an unknown status as a usage error', async () => {
    const { code, stderr } = await sage(['list', '--status', 'done']);
    expect(code).toBe(2);
    expect(stderr).toContain('Allowed choices are submitted, running, finished, failed, stopped');
  });
});

describe('sage job status', () => {
  it('prints the job, its operators with metrics, and its edges', async () => {
    const { code, stdout } = await sage(['status', ids.wordcount]);
    expect(code).toBe(0);
    expect(stdout).toContain(`job ${ids.wordcount} (wordcount)\nstatus:     running\n`);
    expect(stdout).toMatch(/^ {2}NAME\s+KIND\s+PARALLELISM\s+IN\s+OUT\s+ERRORS\s+SKIPPED\s+BUSY MS\s+RECORDS\/S$/m);
    expect(stdout).toMatch(/^ {2}words\s+flatMap\s+2\s+10\s+42\s+0\s+0\s+1\.5\s+\d+$/m);
    expect(stdout).toContain('edges:\n  lines -> words (rebalance)\n');
  });

  it('shows why a job failed, and the record as JSON', async () => {
    expect((await sage(['status', ids.broken])).stdout).toContain('error:      SAGE_OPERATOR: operator "words" failed on record 3: boom\n');
    const { stdout } = await sage(['status', ids.ingest, '--json']);
    expect(JSON.parse(stdout)).toEqual(await store.get(ids.ingest));
  });

  it('says clearly that a job does not exist, with exit 1', async () => {
    for (const id of ['000000000-aaaaaa', 'not-an-id']) {
      const { code, stdout, stderr } = await sage(['status', id]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(`sage job status: no job "${id}" in Redis at ${REDIS_URL} (prefix ${prefix}) (sage job list shows the jobs there)\n`);
    }
  });

  it('needs an id', async () => {
    const { code, stderr } = await sage(['status']);
    expect(code).toBe(2);
    expect(stderr).toContain("missing required argument 'id'");
  });
});

describe('sage job stop', () => {
  it('stops a job that has not started', async () => {
    const { code, stdout } = await sage(['stop', ids.waiting]);
    expect(code).toBe(0);
    expect(stdout).toBe(`job ${ids.waiting} stopped (it had not started)\n`);
    expect((await store.get(ids.waiting))!.status).toBe('stopped');
  });

  it('asks the executor of a running job, and list shows the request', async () => {
    const { code, stdout } = await sage(['stop', ids.wordcount, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ id: ids.wordcount, outcome: 'requested', status: 'running' });
    expect(await store.isStopRequested(ids.wordcount)).toBe(true);
    expect((await sage(['list', '--status', 'running'])).stdout).toContain('running (stop requested)');
  });

  it('does nothing to a job that has ended, and says so', async () => {
    const { code, stdout } = await sage(['stop', ids.ingest]);
    expect(code).toBe(0);
    expect(stdout).toBe(`job ${ids.ingest} has already finished: nothing to stop\n`);
    expect((await sage(['stop', ids.broken])).stdout).toBe(`job ${ids.broken} has already ended (failed): nothing to stop\n`);
  });

  it('exits 1 for an unknown job', async () => {
    const { code, stderr } = await sage(['stop', '000000000-aaaaaa']);
    expect(code).toBe(1);
    expect(stderr).toContain('sage job stop: no job "000000000-aaaaaa"');
  });
});

describe('sage job logs', () => {
  it('prints the last lines', async () => {
    const { code, stdout } = await sage(['logs', ids.wordcount, '--tail', '2']);
    expect(code).toBe(0);
    const time = new Date(1_800_000_006_500).toISOString();
    expect(stdout).toBe(`${time} INFO  worker-1: read 10 lines\n${time} INFO  worker-1: wrote 42 words\n`);
  });

  it('prints JSON lines', async () => {
    const { stdout } = await sage(['logs', ids.wordcount, '--json', '--tail', '1']);
    expect(JSON.parse(stdout)).toMatchObject({ level: 'info', source: 'worker-1', message: 'wrote 42 words' });
  });

  it('follows until the job ends', async () => {
    const job = await store.create({ name: 'followed', graph });
    await store.transition(job.id, 'running');
    await store.appendLogs(job.id, [{ message: 'first' }]);
    const following = sage(['logs', job.id, '--follow']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await store.appendLogs(job.id, [{ message: 'second', level: 'warn', source: 'worker-2' }]);
    await store.transition(job.id, 'finished');
    const { code, stdout } = await following;
    expect(code).toBe(0);
    expect(stdout.split('\n').filter(Boolean).map((line) => line.slice(25))).toEqual(['INFO  first', 'WARN  worker-2: second']);
  });

  it('exits 1 for an unknown job', async () => {
    const { code, stderr } = await sage(['logs', '000000000-aaaaaa']);
    expect(code).toBe(1);
    expect(stderr).toContain('sage job logs: no job "000000000-aaaaaa"');
  });
});

describe('sage job: where Redis is', () => {
  it('reads REDIS_URL from .env when --redis is not given', async () => {
    const project = makeTempDirectory();
    try {
      writeFileSync(join(project, '.env'), `REDIS_URL=${REDIS_URL}\n`);
      const io = memoryIo(project, {});
      expect(await runCli(['job', 'list', '--prefix', prefix, '--json'], io)).toBe(0);
      expect(JSON.parse(io.stdoutText())).toHaveLength(5);
    } finally {
      removeDirectory(project);
    }
  });

  it('refuses a malformed --redis as a usage error without printing it', async () => {
    const io = memoryIo(directory, {});
    expect(await runCli(['job', 'list', '--redis', 'http://:hunter22@cache:6379'], io)).toBe(2);
    expect(io.stderrText()).toBe(
      'error SAGE_VALIDATION: --redis must start with redis:// or rediss://, not http://; expected redis://[[user]:password@]host[:port][/db] (rediss:// for TLS)\n',
    );
  });

  it('names a malformed REDIS_URL, exit 1', async () => {
    const io = memoryIo(directory, { REDIS_URL: 'redis://hunter22@cache' });
    expect(await runCli(['job', 'list'], io)).toBe(1);
    expect(io.stderrText()).toContain('error SAGE_VALIDATION: REDIS_URL has a user name but no password');
    expect(io.stderrText()).not.toContain('hunter22');
  });

  it('fails fast on an unreachable Redis, naming it without the password', async () => {
    const io = memoryIo(directory, {});
    const started = Date.now();
    expect(await runCli(['job', 'status', '000000000-aaaaaa', '--redis', 'redis://:hunter22@127.0.0.1:1'], io)).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(io.stderrText()).toBe(
      'error SAGE_CONFIG: cannot connect to Redis at redis://:****@127.0.0.1:1: connection refused (ECONNREFUSED): is Redis running there?\n',
    );
  });
});
