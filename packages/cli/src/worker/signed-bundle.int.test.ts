/**
 * Signed code bundles with real worker processes: a pipeline file outside every worker's code directory runs as
 * a bundle signed with the cluster secret; a bundle signed with another secret, a tampered one, or a worker
 * without the secret fails the job naming why; the secret is in no log line and no Redis key. Needs Redis at
 * REDIS_URL (default 127.0.0.1:6379).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobStore } from '@sage/kernel';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSage, type SageWorkerProcess, SageWorkers } from '../__fixtures__/sage-processes.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const run = randomBytes(4).toString('hex');
/** Workers with the secret serve this prefix; one without it serves the other. */
const prefix = `sage-test:cli-bundle:${run}`;
const unsignedPrefix = `sage-test:cli-bundle-none:${run}`;
const SECRET = randomBytes(24).toString('hex');
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const codeDir = join(fixtures, 'pipelines');
const pipeline = join(fixtures, 'bundled', 'bundled-words.ts');
const scratch = mkdtempSync(join(tmpdir(), 'sage-bundle-test-'));
const output = { local: join(scratch, 'local'), remote: join(scratch, 'remote') };
const workers = new SageWorkers();
const started: SageWorkerProcess[] = [];
let admin: Redis;
let store: JobStore;

function countsIn(directory: string): Record<string, number> {
  return Object.fromEntries(readdirSync(directory).map((word) => [word, Number(readFileSync(join(directory, word), 'utf8'))]));
}

/** Every key under `pattern` with its whole value, as text. */
async function dumpKeys(pattern: string): Promise<string> {
  const parts: string[] = [];
  for (const key of await admin.keys(pattern)) {
    const type = await admin.type(key);
    const value =
      type === 'string' ? await admin.get(key)
      : type === 'hash' ? await admin.hgetall(key)
      : type === 'list' ? await admin.lrange(key, 0, -1)
      : type === 'set' ? await admin.smembers(key)
      : type === 'zset' ? await admin.zrange(key, '0', '-1')
      : type === 'stream' ? await admin.xrange(key, '-', '+')
      : type;
    parts.push(key, JSON.stringify(value));
  }
  return parts.join('\n');
}

beforeAll(async () => {
  for (const directory of Object.values(output)) mkdirSync(directory);
  const secretFile = join(scratch, 'cluster-secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  admin = new Redis(REDIS_URL);
  store = await JobStore.connect({ redis: REDIS_URL, prefix });
  const common = ['--redis', REDIS_URL, '--code-dir', codeDir, '--concurrency', '2'];
  const env = { SAGE_TEST_OUT: output.remote, SAGE_LOG_LEVEL: 'debug', SAGE_CLUSTER_SECRET: undefined };
  started.push(
    ...(await Promise.all([
      workers.start([...common, '--prefix', prefix, '--cluster-secret-file', secretFile], env),
      workers.start([...common, '--prefix', prefix], { ...env, SAGE_CLUSTER_SECRET: SECRET }),
      workers.start([...common, '--prefix', unsignedPrefix], env),
    ])),
  );
}, 40_000);

afterAll(async () => {
  await workers.stopAll();
  for (const job of await store.list({ limit: 100 })) await store.delete(job.id, { force: true });
  await store.close();
  for (const key of [...(await admin.keys(`${prefix}:*`)), ...(await admin.keys(`${unsignedPrefix}:*`))]) await admin.del(key);
  admin.disconnect();
  rmSync(scratch, { recursive: true, force: true });
});

describe('signed code bundles', () => {
  it('run a file outside the workers\' code directory on both workers, with the counts of a local run; the secret is in no log and no key', async () => {
    expect(started[0]!.output()).toContain('signed bundles accepted');
    expect(started[2]!.output()).toContain('no signed bundles');
    const byPath = await runSage(['run', pipeline, '--remote', '--redis', REDIS_URL, '--prefix', prefix]);
    expect(byPath.exitCode).toBe(1);
    expect(byPath.stderr).toMatch(/refuses pipeline module ".*bundled-words\.ts": it is outside the worker's code directory/);

    const local = await runSage(['run', pipeline], { SAGE_TEST_OUT: output.local });
    const remote = await runSage(['run', pipeline, '--remote', '--code', 'bundle', '--redis', REDIS_URL, '--prefix', prefix], {
      SAGE_TEST_OUT: output.remote,
      SAGE_CLUSTER_SECRET: SECRET,
      SAGE_LOG_LEVEL: 'debug',
    });
    expect(remote.stderr).not.toMatch(/error/i);
    expect(remote.exitCode).toBe(0);
    expect(JSON.parse(remote.stdout)).toEqual(JSON.parse(local.stdout));
    expect(countsIn(output.remote)).toEqual(countsIn(output.local));
    expect(countsIn(output.local)).toMatchObject({ alpha: 400, beta0: 134, gamma4: 80 });

    const [job] = await store.list({ limit: 1 });
    expect(job).toMatchObject({ name: 'bundled-words', status: 'finished', module: pipeline });
    const attached = (await store.readLogs(job!.id, { tail: 100 })).filter((entry) => entry.message.startsWith('worker attached (signed bundle of'));
    expect(new Set(attached.map((entry) => entry.source)).size).toBe(2);

    const everything = [remote.stdout, remote.stderr, ...started.map((worker) => worker.output()), await dumpKeys(`${prefix}:*`)].join('\n');
    expect(everything).toContain('"signature"');
    expect(everything).not.toContain(SECRET);
  }, 90_000);

  it('fail the job when the bundle was signed with another secret', async () => {
    const wrong = await runSage(['run', pipeline, '--remote', '--code', 'bundle', '--redis', REDIS_URL, '--prefix', prefix], {
      SAGE_CLUSTER_SECRET: randomBytes(24).toString('hex'),
    });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/refuses the code bundle of job \S+: its signature does not match this worker's cluster secret/);
    const [job] = await store.list({ limit: 1 });
    expect(job).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/signature does not match/) } });
  }, 40_000);

  it('fail the job when the code was changed after signing', async () => {
    const job = await store.create({ name: 'tampered', graph: { operators: [], edges: [] }, module: pipeline });
    const code = 'export const harmless = 1;\n';
    const signature = createHmac('sha256', SECRET).update(`${job.id}\n${code}`).digest('hex');
    await admin.hset(`${prefix}:job:${job.id}:bundle`, { code: `${code}process.exit(3);\n`, signature });
    await store.transition(job.id, 'running');
    let record = await store.get(job.id);
    for (let attempt = 0; attempt < 100 && record?.status === 'running'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      record = await store.get(job.id);
    }
    expect(record).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/refuses the code bundle .*signature does not match/) } });
    expect(started.every((worker) => worker.child.exitCode === null)).toBe(true);
  }, 20_000);

  it('fail the job on a worker that has no cluster secret', async () => {
    const refused = await runSage(['run', pipeline, '--remote', '--code', 'bundle', '--redis', REDIS_URL, '--prefix', unsignedPrefix], {
      SAGE_CLUSTER_SECRET: SECRET,
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/refuses the code bundle of job \S+: this worker has no cluster secret to verify it/);
    const unsigned = await JobStore.connect({ redis: REDIS_URL, prefix: unsignedPrefix });
    try {
      expect(await unsigned.list({ limit: 1 })).toMatchObject([{ status: 'failed' }]);
    } finally {
      await unsigned.close();
    }
  }, 40_000);

  it('refuse a missing or short secret at the start, naming where it came from and not repeating it', async () => {
    const missing = await runSage(['worker', '--cluster-secret-file', join(scratch, 'none')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/--cluster-secret-file ".*none" cannot be read: ENOENT/);
    const short = await runSage(['worker'], { SAGE_CLUSTER_SECRET: 'tiny-secret' });
    expect(short.exitCode).toBe(2);
    expect(short.stderr).toContain('the cluster secret from SAGE_CLUSTER_SECRET must be at least 16 characters');
    expect(short.stderr).not.toContain('tiny-secret');
    const submitter = await runSage(['run', pipeline, '--remote', '--code', 'bundle', '--redis', REDIS_URL, '--prefix', prefix], { SAGE_CLUSTER_SECRET: '' });
    expect(submitter.exitCode).toBe(1);
    expect(submitter.stderr).toContain("code: 'bundle' needs a cluster secret to sign the bundle: set SAGE_CLUSTER_SECRET or the clusterSecret option");
  }, 40_000);
});
