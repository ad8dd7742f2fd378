import { getLogger, ValidationError } from '@sage/common';
import type { Clock } from '@sage/kernel';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type ChatMessage, promptedRecordSchema, type Usage } from '../contracts.js';
import type { GenerateOptions, Generation } from './generator.js';
import { GeneratorError, type GeneratorFailure } from './generator-error.js';
import { generatorOptionsShape } from './generator-options.js';
import { GeneratorFunction, type GeneratorInput } from './generator-function.js';
import { RequestDeadline } from './request-deadline.js';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from './retry-delay.js';

const OPERATOR = 'OpenAIGenerator';
const OPENAI_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_MODEL = 'gpt-4o-mini';

export interface OpenAIGeneratorConfig {
  /** Default: env `SAGE_LLM_MODEL`, else `gpt-4o-mini`. */
  model?: string;
  /** Any OpenAI-compatible API (vLLM, Ollama, llama.cpp server…), e.g. `http://127.0.0.1:8000/v1`. Default: env `SAGE_LLM_BASE_URL`, else `OPENAI_BASE_URL`, else OpenAI. */
  baseURL?: string;
  /** Default: env `OPENAI_API_KEY`. Required for OpenAI itself; a local server may need none (no Authorization header is sent). */
  apiKey?: string;
  temperature?: number;
  /** Most tokens to generate (`max_tokens`). */
  maxTokens?: number;
  /** Milliseconds to wait for the response and, when streaming, for each next chunk; default 60 000. */
  timeoutMs?: number;
  /** Retries after a 429 or a 5xx (never after other errors); default 2. */
  maxRetries?: number;
  /** The first backoff wait, doubled at each retry, with jitter; default 500. */
  retryDelayMs?: number;
  /** No backoff wait is longer, `Retry-After` included; default 30 000. */
  maxRetryDelayMs?: number;
  /** Ask for the answer as server-sent events and concatenate the deltas; default false. */
  stream?: boolean;
  /** Called with each piece of the answer as it arrives (a CLI prints them); once with the whole answer when not streaming. */
  onToken?: (token: string) => void;
  /** Times the timeouts and backoff waits; default the system clock. */
  clock?: Clock;
}

const configSchema = z.strictObject({
  model: z.string().min(1).optional(),
  baseURL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  apiKey: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  timeoutMs: z.number().int().positive().default(60_000),
  maxRetries: z.number().int().nonnegative().default(2),
  retryDelayMs: z.number().nonnegative().default(500),
  maxRetryDelayMs: z.number().nonnegative().default(30_000),
  stream: z.boolean().default(false),
  ...generatorOptionsShape,
});
type Options = z.infer<typeof configSchema>;

/** A piece of a streamed answer, or the usage the server reports at its end. */
type StreamEvent = { token: string } | { usage: Usage };

/**
 * Answers with a chat completion from any OpenAI-compatible endpoint: reads `prompt`, adds `generated`,
 * `usage` (when the server reports it) and `generator: 'openai:<model>'`. Rate limits (429) and server errors
 * (5xx) are retried with exponential backoff and jitter, waiting at least what `Retry-After` asks; other
 * errors fail at once. Failures are GeneratorErrors naming the endpoint, status and model, never the key.
 * With `stream: true` a retry happens only before the first token, so `onToken` never sees a piece twice.
 */
export class OpenAIGenerator extends GeneratorFunction<OpenAIGeneratorConfig> {
  readonly name: string;
  readonly operatorName = OPERATOR;
  readonly recordSchema: z.ZodType<GeneratorInput> = promptedRecordSchema;
  readonly model: string;
  /** The chat completions URL, without credentials or query string: what errors and logs show. */
  readonly endpoint: string;
  readonly #options: Options;
  readonly #client: OpenAI;
  readonly #apiKey: string | undefined;

  constructor(config?: OpenAIGeneratorConfig) {
    super(config);
    this.#options = parseConfig(OPERATOR, configSchema, config);
    if (this.#options.clock !== undefined) this.clock = this.#options.clock;
    this.model = this.#options.model ?? envValue('SAGE_LLM_MODEL') ?? DEFAULT_MODEL;
    this.name = `openai:${this.model}`;
    const baseURL = this.#options.baseURL ?? envURL('SAGE_LLM_BASE_URL') ?? envURL('OPENAI_BASE_URL') ?? OPENAI_BASE_URL;
    this.endpoint = `${displayURL(baseURL)}/chat/completions`;
    this.#apiKey = this.#options.apiKey ?? envValue('OPENAI_API_KEY');
    if (this.#apiKey === undefined && new URL(baseURL).hostname === new URL(OPENAI_BASE_URL).hostname) {
      throw new ValidationError(
        `${OPERATOR}: option "apiKey": required by ${this.endpoint}; set it or OPENAI_API_KEY (a local OpenAI-compatible server set with baseURL or SAGE_LLM_BASE_URL may need none)`,
        { details: { owner: OPERATOR, option: 'apiKey' } },
      );
    }
    this.#client = new OpenAI({
      // The SDK insists on a key; without one, the header carrying it is removed.
      apiKey: this.#apiKey ?? 'no-key',
      defaultHeaders: this.#apiKey === undefined ? { Authorization: null } : undefined,
      baseURL,
      maxRetries: 0,
      logLevel: 'off',
    });
  }

  async generate(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<Generation> {
    const onToken = options.onToken ?? this.#options.onToken;
    if (this.#options.stream) {
      let text = '';
      let usage: Usage | undefined;
      for await (const event of this.#streamEvents(messages, options.signal)) {
        if ('usage' in event) {
          usage = event.usage;
        } else {
          text += event.token;
          onToken?.(event.token);
        }
      }
      return usage === undefined ? { text } : { text, usage };
    }
    const completion = await this.#withRetries(options.signal, (deadline) =>
      this.#client.chat.completions.create({ ...this.#body(messages), stream: false }, { signal: deadline.signal }),
    );
    const choice = completion.choices?.[0];
    if (choice === undefined) throw this.#error('response', 'the completion has no choices', 1);
    const text = choice.message?.content ?? '';
    onToken?.(text);
    const usage = toUsage(completion.usage);
    return usage === undefined ? { text } : { text, usage };
  }

  /** The answer as it arrives (always streamed, whatever the `stream` option says). */
  async *stream(messages: readonly ChatMessage[], options: GenerateOptions = {}): AsyncIterable<string> {
    for await (const event of this.#streamEvents(messages, options.signal)) {
      if ('token' in event) {
        options.onToken?.(event.token);
        yield event.token;
      }
    }
  }

  async *#streamEvents(messages: readonly ChatMessage[], signal: AbortSignal | undefined): AsyncGenerator<StreamEvent> {
    let deadline: RequestDeadline | undefined;
    let attempts = 0;
    const chunks = await this.#withRetries(
      signal,
      (attemptDeadline) => {
        deadline = attemptDeadline;
        attempts++;
        const body = { ...this.#body(messages), stream: true as const, stream_options: { include_usage: true } };
        return this.#client.chat.completions.create(body, { signal: attemptDeadline.signal });
      },
      { keepDeadline: true },
    );
    try {
      for await (const chunk of chunks) {
        deadline!.restart();
        const token = chunk.choices?.[0]?.delta?.content;
        if (typeof token === 'string' && token !== '') yield { token };
        const usage = toUsage(chunk.usage);
        if (usage !== undefined) yield { usage };
      }
      // The SDK ends a stream quietly when its request is aborted: a cut-off answer must not pass for a whole one.
      if (deadline!.expired || signal?.aborted) throw new Error('stream aborted');
    } catch (error) {
      throw this.#toGeneratorError(error, deadline!, signal, attempts, 'no next chunk');
    } finally {
      deadline!.dispose();
      chunks.controller.abort();
    }
  }

  #body(messages: readonly ChatMessage[]) {
    return {
      model: this.model,
      messages: messages.map(({ role, content }) => ({ role, content })),
      ...(this.#options.temperature === undefined ? {} : { temperature: this.#options.temperature }),
      ...(this.#options.maxTokens === undefined ? {} : { max_tokens: this.#options.maxTokens }),
    };
  }

  /**
   * Runs `attempt` under a fresh deadline until it succeeds, fails with a status that is not retryable, or
   * the retries are spent. The deadline is disposed when the attempt settles unless `keepDeadline` (a stream
   * keeps it to time its chunks).
   */
  async #withRetries<T>(
    signal: AbortSignal | undefined,
    attempt: (deadline: RequestDeadline) => Promise<T>,
    { keepDeadline = false } = {},
  ): Promise<T> {
    for (let attempts = 1; ; attempts++) {
      const deadline = new RequestDeadline(this.clock, this.#options.timeoutMs, signal);
      try {
        const result = await attempt(deadline);
        if (!keepDeadline) deadline.dispose();
        return result;
      } catch (error) {
        deadline.dispose();
        const status = error instanceof APIError ? error.status : undefined;
        if (deadline.expired || signal?.aborted || !isRetryableStatus(status) || attempts > this.#options.maxRetries) {
          throw this.#toGeneratorError(error, deadline, signal, attempts, 'no response');
        }
        const headers = error instanceof APIError ? error.headers : undefined;
        const delayMs = retryDelayMs(attempts - 1, parseRetryAfter(headers), {
          baseDelayMs: this.#options.retryDelayMs,
          maxDelayMs: this.#options.maxRetryDelayMs,
        });
        (this.ctx?.logger ?? getLogger()).warn(
          { generator: OPERATOR, endpoint: this.endpoint, model: this.model, status, attempt: attempts, delayMs },
          `${OPERATOR}: HTTP ${status} from ${this.endpoint}; retrying in ${delayMs} ms`,
        );
        await RequestDeadline.wait(this.clock, delayMs, signal);
        if (signal?.aborted) throw this.#error('aborted', 'the request was aborted by the caller', attempts);
      }
    }
  }

  #toGeneratorError(
    error: unknown,
    deadline: RequestDeadline,
    signal: AbortSignal | undefined,
    attempts: number,
    silence: string,
  ): GeneratorError {
    if (error instanceof GeneratorError) return error;
    if (deadline.expired) return this.#error('timeout', `${silence} within ${this.#options.timeoutMs} ms`, attempts);
    if (signal?.aborted) return this.#error('aborted', 'the request was aborted by the caller', attempts);
    if (error instanceof APIError && error.status !== undefined) {
      const reason = describeAPIError(error);
      return this.#error('status', `HTTP ${error.status}${reason === '' ? '' : `: ${reason}`}`, attempts, error.status);
    }
    const failure: GeneratorFailure = error instanceof APIConnectionError ? 'connection' : 'response';
    return this.#error(failure, describeChain(error), attempts);
  }

  #error(failure: GeneratorFailure, reason: string, attempts: number, status?: number): GeneratorError {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const message = `${OPERATOR}: POST ${this.endpoint} (model "${this.model}") failed${tries}: ${reason}`;
    const details = { generator: OPERATOR, failure, endpoint: this.endpoint, model: this.model, status, attempts };
    return new GeneratorError(this.#scrub(message), details);
  }

  /** Removes the API key from text that came from elsewhere (a server may echo it back). */
  #scrub(text: string): string {
    return this.#apiKey === undefined ? text : text.replaceAll(this.#apiKey, '[redacted]');
  }
}

function envValue(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function envURL(name: string): string | undefined {
  const value = envValue(name);
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ValidationError(`${OPERATOR}: env ${name}: expected an http(s) URL`, { details: { owner: OPERATOR, option: name } });
  }
  return value;
}

/** The URL without user, password, query or fragment, and without a trailing slash. */
function displayURL(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

function toUsage(usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined): Usage | undefined {
  if (usage == null || typeof usage.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number') return undefined;
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
}

/** The server's own explanation (`error.message` of the JSON body), else the SDK's. */
function describeAPIError(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === 'string') return body.message;
  return error.message.replace(/^\d{3}\s*/, '').replace(/^status code \(no body\)$/, '');
}

/** `Connection error. (fetch failed; connect ECONNREFUSED 127.0.0.1:1)`: the messages down the cause chain. */
function describeChain(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as Error & { code?: unknown }).code;
    parts.push(typeof code === 'string' && !current.message.includes(code) ? `${current.message} (${code})` : current.message);
  }
  if (parts.length === 0) return String(error);
  return parts.length === 1 ? parts[0]! : `${parts[0]} (${parts.slice(1).join('; ')})`;
}
