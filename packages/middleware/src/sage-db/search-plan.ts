import type { BackendResult, BackendSearchOptions, VectorIndexBackend } from './vector-index-backend.js';

/** One backend search a plan needs answered. */
export type BackendCall =
  | { kind: 'index'; queries: Float32Array; k: number; options: BackendSearchOptions }
  | { kind: 'subset'; queries: Float32Array; k: number; labels: Uint32Array };

/**
 * The steps of a search written once and run two ways: a generator that yields each backend call it needs
 * and receives its results. `runPlan` answers the calls off the JavaScript thread, `runPlanSync` on it.
 */
export type SearchPlan = Generator<BackendCall, BackendResult[], BackendResult[]>;

export function indexCall(queries: Float32Array, k: number, options: BackendSearchOptions): BackendCall {
  return { kind: 'index', queries, k, options };
}

export function subsetCall(queries: Float32Array, k: number, labels: Uint32Array): BackendCall {
  return { kind: 'subset', queries, k, labels };
}

export async function runPlan(backend: VectorIndexBackend, plan: SearchPlan): Promise<BackendResult[]> {
  let step = plan.next();
  while (!step.done) {
    const call = step.value;
    const results =
      call.kind === 'index'
        ? await backend.search(call.queries, call.k, call.options)
        : await backend.searchSubset(call.queries, call.k, call.labels);
    step = plan.next(results);
  }
  return step.value;
}

export function runPlanSync(backend: VectorIndexBackend, plan: SearchPlan): BackendResult[] {
  let step = plan.next();
  while (!step.done) {
    const call = step.value;
    const results =
      call.kind === 'index'
        ? backend.searchSync(call.queries, call.k, call.options)
        : backend.searchSubsetSync(call.queries, call.k, call.labels);
    step = plan.next(results);
  }
  return step.value;
}
