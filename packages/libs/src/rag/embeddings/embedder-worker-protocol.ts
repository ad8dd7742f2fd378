/** The messages between a `WorkerPoolEmbedder` and its threads (embedder-worker.ts). */

export interface WorkerRequest {
  id: number;
  texts: string[];
}

export type WorkerReply =
  | { kind: 'ready'; dimension: number }
  | { kind: 'failed'; message: string }
  /** `count` vectors of the embedder's dimension, row after row. */
  | { kind: 'vectors'; id: number; data: Float32Array; count: number }
  | { kind: 'error'; id: number; message: string };
