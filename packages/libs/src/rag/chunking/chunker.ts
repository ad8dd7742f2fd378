import { FlatMapFunction, systemClock } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { checkRecord, documentSchema, type Timings, withTiming } from '../contracts.js';
import { CharacterSplitter } from './character-splitter.js';
import { type Chunk, characterWindowShape, type DocumentInput, overlapBelowSize, type Splitter } from './chunk.js';
import { RecursiveSplitter } from './recursive-splitter.js';
import { SentenceSplitter, sentenceSplitterOptionsSchema } from './sentence-splitter.js';

const chunkerConfigSchema = z.discriminatedUnion('splitter', [
  z
    .strictObject({
      splitter: z.literal('recursive').default('recursive'),
      ...characterWindowShape,
      separators: z.array(z.string()).min(1).optional(),
    })
    .superRefine(overlapBelowSize),
  z
    .strictObject({ splitter: z.literal('character'), ...characterWindowShape, separator: z.string().min(1).optional() })
    .superRefine(overlapBelowSize),
  z.strictObject({ splitter: z.literal('sentence'), ...sentenceSplitterOptionsSchema.shape }),
]);

/**
 * `splitter` (default `recursive`) picks the splitter; the other options are that splitter's: `chunkSize`
 * and `chunkOverlap` in characters (plus `separators` / `separator`) for `recursive` and `character`,
 * `chunkSize` and `overlapSentences` for `sentence`.
 */
export type ChunkerConfig = z.input<typeof chunkerConfigSchema>;

/** A chunk as the Chunker emits it: the source record's other fields, and its timings. */
export type ChunkRecord = Chunk & { timings: Timings };

/**
 * Splits each `Document` record (`{ id, text, metadata }`) into chunk documents `{ id, text, metadata:
 * { ...metadata, sourceId, chunkIndex, start? } }` with stable ids (see `chunkId`). Other fields of the
 * record are copied to every chunk; each chunk's `timings.Chunker` is the time taken to split the whole
 * document. An empty text gives no chunks.
 */
export class Chunker extends FlatMapFunction<DocumentInput, ChunkRecord, ChunkerConfig> {
  private readonly splitter: Splitter;

  constructor(config?: ChunkerConfig) {
    super(config);
    const { splitter, ...options } = parseConfig('Chunker', chunkerConfigSchema, config);
    if (splitter === 'sentence') this.splitter = new SentenceSplitter(options);
    else if (splitter === 'character') this.splitter = new CharacterSplitter(options);
    else this.splitter = new RecursiveSplitter(options);
  }

  async execute(record: DocumentInput): Promise<ChunkRecord[]> {
    const started = systemClock.now();
    const document = checkRecord('Chunker', documentSchema, record);
    const chunks = await this.splitter.split(document);
    const elapsed = systemClock.now() - started;
    const source = record as DocumentInput & { timings?: Timings };
    return chunks.map((chunk) => withTiming({ ...source, ...chunk }, 'Chunker', elapsed) as ChunkRecord);
  }
}
