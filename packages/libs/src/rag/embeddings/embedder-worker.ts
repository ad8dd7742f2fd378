/**
 * The body of one `WorkerPoolEmbedder` thread: builds the embedder its config describes, loads it, says
 * so, then answers `{ id, texts }` with the vectors in one transferred buffer (or the error's message).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEmbedder, type EmbedderConfig } from './create-embedder.js';
import type { Embedder } from './embedder.js';
import type { WorkerReply, WorkerRequest } from './embedder-worker-protocol.js';

const port = parentPort!;
const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let embedder: Embedder;
try {
  embedder = createEmbedder({ ...(workerData as EmbedderConfig), cache: false });
  await embedder.init();
  reply({ kind: 'ready', dimension: embedder.dimension });
} catch (error) {
  reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

port.on('message', async ({ id, texts }: WorkerRequest) => {
  try {
    const vectors = await embedder.embed(texts);
    const data = new Float32Array(vectors.length * embedder.dimension);
    for (const [row, vector] of vectors.entries()) data.set(vector, row * embedder.dimension);
    reply({ kind: 'vectors', id, data, count: vectors.length }, [data.buffer as ArrayBuffer]);
  } catch (error) {
    reply({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) });
  }
});
