/** An unbounded pipeline module: numbers until the job is stopped, each appended to a Redis list by the sink. */
import { fileURLToPath } from 'node:url';
import { SourceFunction } from '../../../api/functions.js';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildSink, fixtureSettings, type Word } from './build-pipeline.js';

/** About one record per millisecond, so that the sink list grows while the test watches. */
class Counter extends SourceFunction<Word> {
  private next = 0;

  override async execute(): Promise<Word> {
    if (this.next % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const id = this.next++;
    return { id, word: `w${id % 7}` };
  }
}

const { redis, prefix } = fixtureSettings();
export const env = new RemoteEnvironment('endless', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false, lingerMs: 5 });
buildSink(env.fromSource(Counter, {}, { name: 'counter' }).map((record: Word) => record, { name: 'copy', parallelism: 2 }), `${prefix}:sink:endless`);
await env.submit();
