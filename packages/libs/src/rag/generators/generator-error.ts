import { SageError } from '@sage/common';

/**
 * Why a generator failed:
 * - `status`: the endpoint answered with an HTTP error (after the retries, for 429 and 5xx);
 * - `timeout`: no response (or, when streaming, no next chunk) within `timeoutMs`;
 * - `connection`: the endpoint could not be reached;
 * - `aborted`: the caller's signal cancelled the call;
 * - `response`: the endpoint answered with something that is not a chat completion (for a local model: the
 *   output does not parse as the JSON schema asked for, or the model could not answer);
 * - `load`: a local model could not be loaded (no file, not a GGUF file, refused by llama.cpp).
 */
export type GeneratorFailure = 'status' | 'timeout' | 'connection' | 'aborted' | 'response' | 'load';

export interface GeneratorErrorDetails {
  /** The generator class, e.g. `OpenAIGenerator`. */
  generator: string;
  failure: GeneratorFailure;
  /** The URL called, without credentials or query string; for a local model, its file's path. */
  endpoint: string;
  model: string;
  /** The HTTP status, for `status` failures. */
  status?: number;
  /** Requests made, retries included. */
  attempts: number;
}

/**
 * A generator could not produce an answer. The message names the generator, the endpoint, the status and
 * the model; it never contains the API key. Its SageError `code` is `SAGE_SERVICE` (a remote model is an
 * external service); switch on `failure` for the reason.
 */
export class GeneratorError extends SageError {
  readonly failure: GeneratorFailure;
  readonly endpoint: string;
  readonly model: string;
  readonly status: number | undefined;
  readonly attempts: number;

  constructor(message: string, details: GeneratorErrorDetails, options: { cause?: unknown } = {}) {
    super('SAGE_SERVICE', message, { cause: options.cause, details: { ...details } });
    this.failure = details.failure;
    this.endpoint = details.endpoint;
    this.model = details.model;
    this.status = details.status;
    this.attempts = details.attempts;
  }
}
