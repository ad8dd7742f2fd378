/**
 * A worker's side of signed code bundles: it verifies a job's bundle with the cluster secret before writing it
 * to a private directory (created 0700 under the system temp directory, removed on close) and importing it. The
 * directory holds a `node_modules` link to the worker's installed packages (the nearest `node_modules` above its
 * code directory, else above its working directory), so the bundle's package imports resolve to them: the
 * worker's own @sage/kernel, whose capture hook then sees the graph.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PipelineError } from '@sage/common';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../keys.js';
import { isSignatureValid, type SignedBundle } from '../remote/code-bundle.js';

export interface BundleLoaderParts {
  connection: Redis;
  keys: RedisKeys;
  /** Undefined: this worker accepts no bundle. */
  clusterSecret: string | undefined;
  codeDir: string;
  workerId: string;
}

export class BundleLoader {
  private directory: Promise<string> | undefined;

  constructor(private readonly parts: BundleLoaderParts) {}

  /** The file URL of the job's verified bundle, written to the private directory; throws naming why it is refused. */
  async load(jobId: string, bundle: SignedBundle): Promise<string> {
    const { clusterSecret, workerId } = this.parts;
    const refuse = (why: string) => new PipelineError(`worker ${workerId} refuses the code bundle of job ${jobId}: ${why}`);
    if (clusterSecret === undefined) {
      throw refuse('this worker has no cluster secret to verify it (start it with --cluster-secret-file or SAGE_CLUSTER_SECRET)');
    }
    if (!isSignatureValid(clusterSecret, jobId, bundle)) {
      throw refuse("its signature does not match this worker's cluster secret (the bundle was changed after it was signed, or signed with another secret)");
    }
    this.directory ??= this.createDirectory();
    const file = join(await this.directory, `${jobId}.mjs`);
    await writeFile(file, bundle.code, { mode: 0o600 });
    return pathToFileURL(file).href;
  }

  /** Removes the private directory and the bundles in it. */
  async close(): Promise<void> {
    const directory = await this.directory?.catch(() => undefined);
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  }

  private async createDirectory(): Promise<string> {
    const packages = nearestNodeModules(this.parts.codeDir) ?? nearestNodeModules(process.cwd());
    if (packages === undefined) {
      throw new PipelineError(`worker ${this.parts.workerId} cannot run code bundles: no node_modules above its code directory "${this.parts.codeDir}" or working directory`);
    }
    const directory = await mkdtemp(join(tmpdir(), 'sage-bundles-'));
    await symlink(packages, join(directory, 'node_modules'), 'dir');
    return directory;
  }
}

function nearestNodeModules(start: string): string | undefined {
  for (let directory = start; ; directory = dirname(directory)) {
    const candidate = join(directory, 'node_modules');
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) return undefined;
  }
}
