/** An unbounded pipeline module run in a child process that the test kills: its workers must fail the job. */
import { fileURLToPath } from 'node:url';
import { SourceFunction } from '../../../api/functions.js';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildSink, fixtureSettings, type Word } from './build-pipeline.js';

class Counter extends SourceFunction<Word> {
  private next = 0;

  override async execute(): Promise<Word> {
    if (this.next % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const id = this.next++;
    return { id, word: `w${id % 7}` };
  }
}

const { redis, prefix } = fixtureSettings();
const env = new RemoteEnvironment('endless-orphan', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildSink(env.fromSource(Counter, {}, { name: 'counter' }).map((record: Word) => record, { name: 'copy', parallelism: 2 }), `${prefix}:sink:endless-orphan`);
await env.submit();
process.stdout.write(`submitted ${env.jobId}\n`);
