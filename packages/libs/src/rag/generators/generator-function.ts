import { type Clock, MapFunction, systemClock } from '@sage/kernel';
import type { z } from 'zod';
import {
  type ChatMessage,
  type Citation,
  checkRecord,
  type QueryRecord,
  type RetrievedDocument,
  type Usage,
  withTiming,
} from '../contracts.js';
import type { GenerateOptions, Generation, Generator } from './generator.js';

/** What a generator operator reads: a question, and the prompt and/or the retrieved documents. */
export type GeneratorInput = QueryRecord & { prompt?: ChatMessage[]; retrievalResults?: RetrievedDocument[] };

/** The record a generator operator emits: its input plus the answer. */
export type GeneratorOutput = GeneratorInput & {
  generated: string;
  usage?: Usage;
  citations?: Citation[];
  /** The answer parsed, when the generator was asked for JSON matching a schema. */
  generatedJson?: unknown;
  /** Which generator answered (`openai:gpt-4o-mini`, `extractive`, …). */
  generator: string;
};

/**
 * The base of generator operators: a map that validates the fields its generator reads (`recordSchema`),
 * calls `generate` with the record's prompt, query and retrieved documents, and adds `generated`, `usage`,
 * `citations`, `generatedJson`, `generator` and its time under `timings[operatorName]`. Other fields pass
 * through untouched. Async: give the operator a `concurrency` option to keep several requests in flight.
 */
export abstract class GeneratorFunction<Config = unknown>
  extends MapFunction<unknown, GeneratorOutput, Config>
  implements Generator
{
  abstract readonly name: string;
  /** The class name, used in errors and as the timings key. */
  abstract readonly operatorName: string;
  /** The fields `execute` validates before calling `generate`. */
  abstract readonly recordSchema: z.ZodType<GeneratorInput>;
  /** Times `execute`; subclasses taking a `clock` option set it. */
  protected clock: Clock = systemClock;

  abstract generate(messages: readonly ChatMessage[], options?: GenerateOptions): Promise<Generation>;

  async execute(record: unknown): Promise<GeneratorOutput> {
    const input = checkRecord(this.operatorName, this.recordSchema, record);
    const started = this.clock.now();
    const generation = await this.generate(input.prompt ?? [], { query: input.query, context: input.retrievalResults });
    const output: GeneratorOutput = { ...input, generated: generation.text, generator: this.name };
    if (generation.usage !== undefined) output.usage = generation.usage;
    if (generation.citations !== undefined) output.citations = generation.citations;
    if (generation.json !== undefined) output.generatedJson = generation.json;
    return withTiming(output, this.operatorName, this.clock.now() - started);
  }
}
