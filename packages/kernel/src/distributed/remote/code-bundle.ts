/**
 * The second way a pipeline module reaches workers: the submitter bundles it (its own relative imports inlined,
 * packages left as imports, so a worker's installed @sage/kernel runs it and its capture hook sees the graph),
 * signs the bundle with the cluster secret and stores both in Redis; a worker holding the same secret verifies
 * the signature before it imports the code. The signature is HMAC-SHA256 over `<job id>\n<code>`, so a bundle
 * signed for one job is not accepted for another. The secret itself is never stored or logged.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PipelineError } from '@sage/common';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../keys.js';

export interface SignedBundle {
  code: string;
  /** HMAC-SHA256 of `<job id>\n<code>` with the cluster secret, hex. */
  signature: string;
}

/** One ES module with the module's relative imports inlined and every package import left for the worker to resolve. */
export async function bundleModule(module: string): Promise<string> {
  const { build } = await import('esbuild');
  try {
    const result = await build({
      entryPoints: [module],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  } catch (error) {
    const detail = (error as { errors?: Array<{ text: string }> }).errors?.map((failure) => failure.text).join('; ');
    throw new PipelineError(`cannot bundle pipeline module "${module}": ${detail ?? (error as Error).message}`, { cause: error });
  }
}

export function signBundle(secret: string, jobId: string, code: string): string {
  return createHmac('sha256', secret).update(`${jobId}\n${code}`).digest('hex');
}

export function isSignatureValid(secret: string, jobId: string, bundle: SignedBundle): boolean {
  const expected = Buffer.from(signBundle(secret, jobId, bundle.code), 'hex');
  const given = Buffer.from(bundle.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function storeBundle(connection: Redis, keys: RedisKeys, jobId: string, bundle: SignedBundle): Promise<void> {
  await connection.hset(keys.jobBundle(jobId), { code: bundle.code, signature: bundle.signature });
}

/** The job's bundle, or undefined when it names its module by path. */
export async function readBundle(connection: Redis, keys: RedisKeys, jobId: string): Promise<SignedBundle | undefined> {
  const [code, signature] = await connection.hmget(keys.jobBundle(jobId), 'code', 'signature');
  if (code === null) return undefined;
  return { code, signature: signature ?? '' };
}
