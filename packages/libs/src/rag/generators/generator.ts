import type { ChatMessage, Citation, RetrievedDocument, Usage } from '../contracts.js';

/** What one call to a generator may use besides the messages. */
export interface GenerateOptions {
  /** The question. LLMs read it from the messages; extractive answerers need it (default: the last user message). */
  query?: string;
  /** The retrieved documents, best first. LLMs read them from the prompt; extractive answerers need them. */
  context?: readonly RetrievedDocument[];
  /** Called with each piece of the answer as it arrives (once with the whole answer where nothing streams). */
  onToken?: (token: string) => void;
  /** Cancels the call; the generator rejects with an `aborted` GeneratorError. */
  signal?: AbortSignal;
}

/** One answer. */
export interface Generation {
  text: string;
  /** Token counts, when the model reports them. */
  usage?: Usage;
  /** The documents the answer rests on, for generators that know it. */
  citations?: Citation[];
  /** The answer parsed, for generators asked for JSON matching a schema. */
  json?: unknown;
}

/**
 * One interface for every answer generator (OpenAI-compatible endpoints, local models, the extractive
 * answerer). A generator is usable on its own (a CLI, a notebook) and, as a `GeneratorFunction`, as a map
 * operator in a pipeline.
 */
export interface Generator {
  /** Which generator answers, as written to the record's `generator` field: `openai:gpt-4o-mini`, `extractive`. */
  readonly name: string;
  generate(messages: readonly ChatMessage[], options?: GenerateOptions): Promise<Generation>;
  /** The answer piece by piece, for generators that stream. */
  stream?(messages: readonly ChatMessage[], options?: GenerateOptions): AsyncIterable<string>;
}
