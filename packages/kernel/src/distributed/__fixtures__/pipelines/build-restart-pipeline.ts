/**
 * The restart test pipeline, built the same way in a LocalEnvironment and a RemoteEnvironment: source -> map
 * (parallelism 2) that fails on one record the first `failures` times it sees it (counted per process, so on
 * workers by the one process that owns the record's partition) -> sink appending ids to a Redis list.
 */
import { fileURLToPath } from 'node:url';
import type { BaseEnvironment } from '../../../api/environment.js';
import { MapFunction } from '../../../api/functions.js';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { RestartStrategy } from '../../../runtime/restart-strategy.js';
import { buildSink, fixtureSettings, type Word } from './build-pipeline.js';

export const RESTART_RECORD_COUNT = 2_000;
export const FAILING_ID = 1_234;

export function buildRestartPipeline(env: BaseEnvironment, options: { sinkKey: string; failures: number; attempts: number; delayMs?: number }): void {
  let failed = 0;
  class Flaky extends MapFunction<Word, Word> {
    override execute(record: Word): Word {
      if (record.id === FAILING_ID && failed < options.failures) {
        failed++;
        throw new Error(`flaky failure ${failed} on ${record.word}`);
      }
      return { ...record, length: record.word.length };
    }
  }
  env.setRestartStrategy(RestartStrategy.fixedDelay({ attempts: options.attempts, delayMs: options.delayMs ?? 20 }));
  const records = Array.from({ length: RESTART_RECORD_COUNT }, (_, id): Word => ({ id, word: `w${id % 7}` }));
  buildSink(env.fromBatch(records, { name: 'words' }).map(Flaky, {}, { name: 'flaky', parallelism: 2 }), options.sinkKey);
}

/** Submits the pipeline from module `moduleUrl` as job `name` and settles with its result or error. */
export async function submitRestartJob(
  name: string,
  moduleUrl: string,
  options: { failures: number; attempts: number; delayMs?: number },
): Promise<{ result?: Awaited<ReturnType<RemoteEnvironment['submit']>>; error?: Error & { code?: string }; jobId: string }> {
  const { redis, prefix } = fixtureSettings();
  const env = new RemoteEnvironment(name, { redis, prefix, module: fileURLToPath(moduleUrl), handleSignals: false, batchSize: 64 });
  buildRestartPipeline(env, { sinkKey: `${prefix}:sink:${name}`, ...options });
  const settled = await env.submit({ autostop: true }).then(
    (result) => ({ result }),
    (error: Error & { code?: string }) => ({ error }),
  );
  return { ...settled, jobId: env.jobId! };
}
