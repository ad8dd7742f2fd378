import { ValidationError } from '@sage/common';
import type OpenAI from 'openai';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { embedInBatches } from './embed-in-batches.js';
import type { Embedder } from './embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { loadOnce } from './load-once.js';

export interface OpenAIEmbedderConfig {
  /** Model name sent to the endpoint, e.g. `text-embedding-3-small`, `nomic-embed-text`. */
  model: string;
  /** Base URL up to `/v1`. Default: env `SAGE_EMBEDDINGS_BASE_URL`, else `OPENAI_BASE_URL`, else OpenAI's. */
  baseURL?: string;
  /** Default: env `OPENAI_API_KEY`. A local server may need none. */
  apiKey?: string;
  /** Vector length to ask for (models that can shorten their vectors). Default: what the model returns. */
  dimensions?: number;
  /** Most texts per request. Default 256. */
  batchSize?: number;
  /** Per request, before retries. Default 60 000. */
  timeoutMs?: number;
  /** Retries of a timed-out, rate-limited (429) or failed (5xx) request. Default 2. */
  maxRetries?: number;
}

const configSchema = z.strictObject({
  model: z.string().min(1),
  baseURL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  apiKey: z.string().min(1).optional(),
  dimensions: z.number().int().min(1).optional(),
  batchSize: z.number().int().min(1).max(2048).default(256),
  timeoutMs: z.number().int().min(1).default(60_000),
  maxRetries: z.number().int().min(0).max(10).default(2),
});

const OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** Where the base URL comes from when the config has none, first set (non-empty) one wins. */
const BASE_URL_VARIABLES = ['SAGE_EMBEDDINGS_BASE_URL', 'OPENAI_BASE_URL'] as const;
/** Sent when no key is configured: the SDK refuses to run without one, and local servers ignore it. */
const NO_KEY = 'sage-no-api-key';
const PROBE_TEXT = 'dimension probe';
const MAX_REASON_CHARS = 300;

type OpenAIModule = typeof import('openai');

/**
 * Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, Ollama, llama.cpp server,
 * LM Studio), through the `openai` SDK, which also does the retries. Large inputs are split into requests of
 * `batchSize` texts. The dimension is the `dimensions` option, or is learnt from the first response; `init()`
 * sends one short probe when it is not known yet. Failures are `EmbeddingError`s naming the endpoint and the
 * status; the API key is kept in a private field and removed from every message.
 */
export class OpenAIEmbedder implements Embedder {
  readonly name: string;
  /** The embeddings URL, without credentials, for messages. */
  readonly endpoint: string;
  private readonly options: Omit<z.infer<typeof configSchema>, 'apiKey'> & { baseURL: string };
  readonly #apiKey: string;
  private learntDimension: number | undefined;
  private readonly sdk = loadOnce((): Promise<OpenAIModule> => import('openai'));
  private readonly client = loadOnce(async (): Promise<OpenAI> => {
    const { OpenAI } = await this.sdk();
    const { baseURL, timeoutMs, maxRetries } = this.options;
    return new OpenAI({ apiKey: this.#apiKey, baseURL, timeout: timeoutMs, maxRetries });
  });
  private readonly probe = loadOnce(async () => {
    if (this.learntDimension === undefined) await this.request([PROBE_TEXT]);
  });

  /** `environment` supplies the defaults of `baseURL` and `apiKey`; tests pass their own. */
  constructor(config: OpenAIEmbedderConfig, environment: Readonly<Record<string, string | undefined>> = process.env) {
    const { apiKey: configuredKey, ...options } = parseConfig('OpenAIEmbedder', configSchema, config);
    const variable = BASE_URL_VARIABLES.find((name) => environment[name]);
    const baseURL = options.baseURL ?? (variable === undefined ? OPENAI_BASE_URL : environment[variable]!);
    if (!isHttpUrl(baseURL)) {
      // The value is not shown: a malformed URL may still carry a password.
      throw new ValidationError(`OpenAIEmbedder: env ${variable} is not an http(s) URL (set option "baseURL" or fix the variable)`, {
        details: { owner: 'OpenAIEmbedder', option: 'baseURL' },
      });
    }
    const apiKey = configuredKey ?? (environment.OPENAI_API_KEY || undefined);
    if (apiKey === undefined && new URL(baseURL).hostname === new URL(OPENAI_BASE_URL).hostname) {
      throw new ValidationError(`OpenAIEmbedder: ${OPENAI_BASE_URL} needs an API key: set option "apiKey" or env OPENAI_API_KEY`, {
        details: { owner: 'OpenAIEmbedder', option: 'apiKey' },
      });
    }
    this.options = { ...options, baseURL };
    this.#apiKey = apiKey ?? NO_KEY;
    this.learntDimension = options.dimensions;
    this.name = `openai:${options.model}`;
    this.endpoint = embeddingsUrl(baseURL);
  }

  get dimension(): number {
    if (this.learntDimension === undefined) {
      throw new EmbeddingError(this.name, 'the dimension is learnt from the endpoint: call init() or embed() first', {
        endpoint: this.endpoint,
      });
    }
    return this.learntDimension;
  }

  async init(): Promise<void> {
    await this.probe();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return embedInBatches({ name: this.name, embed: (batch) => this.request(batch) }, texts, this.options.batchSize);
  }

  /** One POST of one batch; checks that the answer has one vector per text, all of the same length. */
  private async request(texts: readonly string[]): Promise<Float32Array[]> {
    const { model, dimensions } = this.options;
    let response: OpenAI.CreateEmbeddingResponse;
    try {
      const client = await this.client();
      // `float`, not the SDK's default base64: not every compatible server implements base64.
      response = await client.embeddings.create({
        model,
        input: [...texts],
        encoding_format: 'float',
        ...(dimensions === undefined ? {} : { dimensions }),
      });
    } catch (error) {
      throw await this.failure(error);
    }
    const data = Array.isArray(response?.data) ? [...response.data].sort((a, b) => a.index - b.index) : [];
    if (data.length !== texts.length) throw this.invalid(`answered ${data.length} vectors for ${texts.length} texts`);
    return data.map(({ embedding }) => {
      if (!Array.isArray(embedding)) throw this.invalid('answered an embedding that is not an array of numbers');
      this.learntDimension ??= embedding.length;
      if (embedding.length !== this.learntDimension) {
        throw this.invalid(`answered a ${embedding.length}-d vector, expected ${this.learntDimension}-d`);
      }
      return Float32Array.from(embedding);
    });
  }

  private invalid(message: string): EmbeddingError {
    return new EmbeddingError(this.name, `POST ${this.endpoint} ${message}`, { endpoint: this.endpoint });
  }

  /**
   * The SDK's error as an EmbeddingError. The SDK error is not kept as `cause`: a server may echo request
   * headers into its error body, and a logged cause chain would then print the key.
   */
  private async failure(error: unknown): Promise<EmbeddingError> {
    const { APIError, APIConnectionTimeoutError } = await this.sdk();
    const { timeoutMs, maxRetries } = this.options;
    const endpoint = this.endpoint;
    if (error instanceof APIConnectionTimeoutError) {
      return new EmbeddingError(this.name, `POST ${endpoint} timed out after ${timeoutMs} ms (tried ${maxRetries + 1} times)`, {
        endpoint,
      });
    }
    if (error instanceof APIError && error.status !== undefined) {
      const reason = this.redact(error.message.replace(/^\d{3}\s*/, ''));
      return new EmbeddingError(this.name, `POST ${endpoint} failed with status ${error.status}: ${reason}`, {
        endpoint,
        status: error.status,
      });
    }
    return new EmbeddingError(this.name, `POST ${endpoint} failed: ${this.redact(describeChain(error))}`, { endpoint });
  }

  /** Removes the key before shortening, so that a cut cannot leave part of it. */
  private redact(text: string): string {
    const safe = this.#apiKey === NO_KEY ? text : text.replaceAll(this.#apiKey, '****');
    return safe.length > MAX_REASON_CHARS ? `${safe.slice(0, MAX_REASON_CHARS)}…` : safe;
  }
}

/** `URL.canParse`, not `URL.parse`: the latter needs Node 22 and the package supports 20.12. */
function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
}

/** `<base>/embeddings` without user and password, which may be in the URL. */
function embeddingsUrl(baseURL: string): string {
  const url = new URL(baseURL);
  url.username = '';
  url.password = '';
  return `${url.toString().replace(/\/+$/, '')}/embeddings`;
}

/** "Connection error. (connect ECONNREFUSED 127.0.0.1:9)": the SDK hides the network reason in `cause`. */
function describeChain(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < 4; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' (') + ')'.repeat(parts.length - 1);
}
