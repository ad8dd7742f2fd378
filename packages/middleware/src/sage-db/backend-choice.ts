import { type Logger, SageError, ValidationError } from '@sage/common';
import { exactBackendFactory } from './exact-backend.js';
import type { VectorIndexBackendFactory } from './vector-index-backend.js';

export type BackendChoice = 'auto' | 'faiss' | 'exact';

let warned = false;

/**
 * Picks the vector backend for new collections: the FAISS addon when it is built (or demanded), else the
 * exact in-process scan. The addon is loaded only here, so nothing native is touched until needed.
 */
export async function chooseBackend(
  choice: BackendChoice,
  logger: Logger,
): Promise<{ factory: VectorIndexBackendFactory; name: 'faiss' | 'exact' }> {
  if (choice === 'exact') return { factory: exactBackendFactory, name: 'exact' };
  if (choice !== 'auto' && choice !== 'faiss') {
    throw new ValidationError(`SageDB.open: backend must be 'auto', 'faiss' or 'exact', got ${String(choice)}`);
  }
  const faiss = await loadFaissFactory();
  if (faiss.factory !== undefined) return { factory: faiss.factory, name: 'faiss' };
  if (choice === 'faiss') throw notBuilt(faiss.reason);
  if (!warned) {
    warned = true;
    logger.warn(`sage_db addon not available (${faiss.reason}): using exact in-process search; build it with: sage extensions install sage_db`);
  }
  return { factory: exactBackendFactory, name: 'exact' };
}

/** The backend that reads collections written by `name` (from a collection manifest). */
export async function backendNamed(name: string): Promise<VectorIndexBackendFactory> {
  if (name === 'exact') return exactBackendFactory;
  if (name !== 'faiss') throw new ValidationError(`unknown vector backend "${name}" in a collection manifest`);
  const faiss = await loadFaissFactory();
  if (faiss.factory === undefined) throw notBuilt(faiss.reason);
  return faiss.factory;
}

async function loadFaissFactory(): Promise<{ factory?: VectorIndexBackendFactory; reason: string }> {
  const native = await import('@sage/sage-db-native');
  const status = native.isSageDbNativeBuilt();
  if (!status.built) return { reason: status.reason ?? 'not built' };
  const { faissBackendFactory } = await import('./faiss-backend.js');
  return { factory: faissBackendFactory, reason: '' };
}

function notBuilt(reason: string): SageError {
  return new SageError('SAGE_NATIVE', `the sage_db addon is not available: ${reason} (build it: sage extensions install sage_db)`);
}
