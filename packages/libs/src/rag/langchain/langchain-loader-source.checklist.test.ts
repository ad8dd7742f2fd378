/**
 * The operator checklist of STYLE.md section 6 for the source LangChainLoaderSource, on the real local runtime:
 * a loader yielding nothing, one document, many (all, in order), a loader that never ends stopped early, and a
 * loader that throws, through `load()` and through `lazyLoad()`. The source runs as a subclass that counts its
 * `close()` calls. A source has no upstream to fail; its user code is the loader.
 */
import { BaseDocumentLoader } from '@langchain/core/document_loaders/base';
import { Document as LCDocument } from '@langchain/core/documents';
import { LocalEnvironment } from '@sage/kernel';
import { collect } from '@sage/kernel/testing';
import { describe, expect, it, vi } from 'vitest';
import { DEADLINE_MS, probed, withDeadline } from '../../__fixtures__/operator-probe.js';
import type { Document } from '../contracts.js';
import { LangChainLoaderSource } from './langchain-loader-source.js';


const page = (i: number) => new LCDocument({ pageContent: `page ${i}`, metadata: { id: `page-${i}`, number: i } });
/** The record the source makes of `page(i)`. */
const pageRecord = (i: number): Document => ({ id: `page-${i}`, text: `page ${i}`, metadata: { id: `page-${i}`, number: i } });
const upTo = (count: number) => Array.from({ length: count }, (_, i) => i);

/** Reads `count` pages with `load()`, or rejects with `failure`. */
class EagerLoader extends BaseDocumentLoader {
  constructor(
    private readonly count: number,
    private readonly failure?: Error,
  ) {
    super();
  }
  override async load(): Promise<LCDocument[]> {
    if (this.failure !== undefined) throw this.failure;
    return upTo(this.count).map(page);
  }
}

/** A `load()` that never settles: a remote loader whose server went quiet. */
class HungLoader extends BaseDocumentLoader {
  reads = 0;
  override load(): Promise<LCDocument[]> {
    this.reads++;
    return new Promise(() => {});
  }
}

/** A `lazyLoad()` whose first page never arrives. */
class HungStreamingLoader extends HungLoader {
  async *lazyLoad(): AsyncGenerator<LCDocument> {
    yield* await this.load();
  }
}

/** Yields `count` pages (default: without end) from `lazyLoad()`, then throws `failure` if given. `load()` is refused. */
class StreamingLoader extends BaseDocumentLoader {
  yielded = 0;
  finished = false;
  constructor(
    private readonly count = Number.POSITIVE_INFINITY,
    private readonly failure?: Error,
  ) {
    super();
  }
  override async load(): Promise<LCDocument[]> {
    throw new Error('StreamingLoader: load() called; the source should stream with lazyLoad()');
  }
  async *lazyLoad(): AsyncGenerator<LCDocument> {
    try {
      for (let i = 0; i < this.count; i++) {
        this.yielded++;
        yield page(i);
      }
      if (this.failure !== undefined) throw this.failure;
    } finally {
      this.finished = true;
    }
  }
}


/** A job reading `loader`; small batches and channels, so little is in flight when it is stopped. */
function sourceJob(name: string, loader: BaseDocumentLoader) {
  const env = new LocalEnvironment(name, { logLevel: 'silent', handleSignals: false, batchSize: 4, channelCapacity: 2 });
  const probe = probed(LangChainLoaderSource);
  const outputs = collect(env.fromBatch(probe.fn, { loader }, { name: 'loader' }));
  return { env, outputs, closes: probe.closes };
}

const flavours = [
  { name: 'load()', loader: (count: number, failure?: Error) => new EagerLoader(count, failure) },
  { name: 'lazyLoad()', loader: (count: number, failure?: Error) => new StreamingLoader(count, failure) },
];

describe.each(flavours)('LangChainLoaderSource over $name: the source checklist', (flavour) => {
  async function run(count: number): Promise<Document[]> {
    const { env, outputs, closes } = sourceJob('loader-checklist', flavour.loader(count));
    const result = await withDeadline(env.submit({ autostop: true }), 'job');
    expect(result.status).toBe('finished');
    expect(closes()).toBe(1);
    return outputs;
  }

  it('a loader yielding nothing: the job finishes, nothing comes out, the source closes', async () => {
    expect(await run(0)).toEqual([]);
  });

  it('one document: one record', async () => {
    expect(await run(1)).toEqual([pageRecord(0)]);
  });

  it('many documents: all come out, in order', async () => {
    expect(await run(100)).toEqual(upTo(100).map(pageRecord));
  });

  it('a loader that throws fails the job with its error, and the source closes', async () => {
    const { env, outputs, closes } = sourceJob('loader-checklist-throws', flavour.loader(2, new Error('loader boom')));
    await expect(withDeadline(env.submit({ autostop: true }), 'failing job')).rejects.toThrow(/loader boom/);
    expect(closes()).toBe(1);
    // What came out before the failure is in order.
    expect(outputs).toEqual(upTo(outputs.length).map(pageRecord));
  });
});

describe('LangChainLoaderSource: a loader that never ends', () => {
  it('a lazyLoad() that keeps yielding stops when asked: the source closes, the loader cleans up, nothing comes after', async () => {
    const loader = new StreamingLoader();
    const { env, outputs, closes } = sourceJob('loader-checklist-endless', loader);
    await withDeadline(env.submit(), 'submit');
    await vi.waitFor(() => expect(outputs.length).toBeGreaterThanOrEqual(8), { timeout: DEADLINE_MS, interval: 5 });
    const result = await withDeadline(env.stop(), 'stop');
    expect(result?.status).toBe('stopped');
    expect(closes()).toBe(1);
    const seen = outputs.length;
    // close() returns the generator: its `finally` runs and the loader reads no more. Only then is it sure
    // that nothing the loader still had in hand came out after the stop.
    await vi.waitFor(() => expect(loader.finished).toBe(true), { timeout: DEADLINE_MS, interval: 5 });
    expect(outputs).toHaveLength(seen);
    expect(outputs).toEqual(upTo(seen).map(pageRecord));
  });

  // A loader takes no abort signal, so a read that never ends is left behind (a lazy loader's cleanup runs
  // only once that read ends); the job still stops.
  it.each([
    ['load()', HungLoader],
    ['lazyLoad()', HungStreamingLoader],
  ])('a %s that never answers is stopped too: the source closes and nothing comes out', async (_, Loader) => {
    const loader = new Loader();
    const { env, outputs, closes } = sourceJob('loader-checklist-hung', loader);
    await withDeadline(env.submit(), 'submit');
    await vi.waitFor(() => expect(loader.reads).toBe(1), { timeout: DEADLINE_MS, interval: 5 });
    const result = await withDeadline(env.stop(), 'stop');
    expect(result?.status).toBe('stopped');
    expect(closes()).toBe(1);
    expect(outputs).toEqual([]);
  });
});
