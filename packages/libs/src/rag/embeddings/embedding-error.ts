import { ServiceError } from '@sage/common';

export interface EmbeddingErrorOptions {
  /** The URL called, without credentials, when the model is remote. */
  endpoint?: string;
  /** The HTTP status the endpoint answered, when it answered. */
  status?: number;
  cause?: unknown;
}

/**
 * An embedding model failed: a remote endpoint answered an error status or could not be reached, or a model
 * returned the wrong number or length of vectors. The message names the embedder, and the endpoint and status
 * when there are ones; `code` is `SAGE_SERVICE`, as the model is a service the pipeline calls.
 */
export class EmbeddingError extends ServiceError {
  readonly embedder: string;
  readonly endpoint: string | undefined;
  readonly status: number | undefined;

  constructor(embedder: string, message: string, options: EmbeddingErrorOptions = {}) {
    const { endpoint, status, cause } = options;
    super(`${embedder}: ${message}`, { cause, details: { embedder, endpoint, status } });
    this.embedder = embedder;
    this.endpoint = endpoint;
    this.status = status;
  }
}
