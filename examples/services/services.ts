/**
 * Services: long-lived objects shared by every operator instance of a job (a model, a database client, a
 * cache). `env.registerService(name, Class, config)` starts one before the job and stops it after;
 * functions call it with `this.callService(name, { method, args, timeout })`. A call that takes longer
 * than its timeout fails with a ServiceTimeoutError; with `onError: 'skip'` that record goes to the dead
 * letters instead of failing the job. `serviceProxy` from @sage/middleware is the typed face of the same
 * call, shown with its in-memory KeyValueService.
 *
 * Run: pnpm exec tsx examples/services/services.ts
 */
import { BaseService, LocalEnvironment, MapFunction, SinkFunction } from '@sage/kernel';
import { KeyValueService, serviceProxy } from '@sage/middleware';

/** A pretend translation model: known words answer fast, unknown ones "think" for 300 ms. */
class DictionaryService extends BaseService<{ entries: Record<string, string> }> {
  async translate(word: string): Promise<string> {
    const known = this.config.entries[word];
    await new Promise((resolve) => setTimeout(resolve, known === undefined ? 300 : 5));
    return known ?? `<${word}>`;
  }
}

class Translate extends MapFunction<string, string> {
  async execute(word: string): Promise<string> {
    const translated = await this.callService<string>('dictionary', { method: 'translate', args: [word], timeout: 100 });
    return `${word} -> ${translated}`;
  }
}

/** Records each translation in the key/value service, through a typed proxy. */
class Remember extends SinkFunction<string> {
  private readonly store = serviceProxy<KeyValueService>(this, 'memory');

  async execute(line: string): Promise<void> {
    const [word, translated] = line.split(' -> ');
    await this.store.set(word!, translated);
    console.log(`translated: ${line}`);
  }

  override async close(): Promise<void> {
    console.log(`remembered: ${(await this.store.keys()).join(', ')}`);
  }
}

const env = new LocalEnvironment('services');
env
  .registerService('dictionary', DictionaryService, { entries: { hello: 'hallo', world: 'Welt', cat: 'Katze' } })
  .registerService('memory', KeyValueService);
const translated = env.fromBatch(['hello', 'world', 'serendipity', 'cat']).map(Translate, undefined, { onError: 'skip' });
translated.sink(Remember);
translated.deadLetters().sink((letter) => {
  console.log(`skipped: ${String(letter.record)} (${letter.error.name}: ${letter.error.message})`);
});
await env.submit({ autostop: true });
