import type { OperatorOptions } from '@sage/kernel';
import { DEFAULT_GENERATOR, generateEvents } from './nexmark.js';
import { QUERIES } from './queries.js';
import { referenceResults, verifyResults } from './reference.js';
import { collectResults } from './run-query.js';

export type EngineId = 'typescript' | 'native';

export interface Engine {
  id: EngineId;
  /** Options given to every window operator of a query. */
  windowOptions: OperatorOptions;
}

export interface EngineSelection {
  engines: Engine[];
  /** Why the native engine is not in the run. */
  nativeUnavailable?: string;
}

/**
 * Finds the window engines this build has by asking for them: a window operator with `engine: 'native'`
 * runs q5, q7 and q11 over a few thousand events and must give the reference's results. A kernel without the
 * option refuses it (unknown option), and one without the addon fails to load it; either way the native
 * engine is reported as not available, never stood in for. When the kernel has no `engine` option at all,
 * the TypeScript path is the one that runs without it.
 */
export async function detectEngines(): Promise<EngineSelection> {
  const typescript = await tryEngine('typescript');
  const engines: Engine[] = [{ id: 'typescript', windowOptions: typescript === undefined ? engineOption('typescript') : {} }];
  const native = await tryEngine('native');
  if (native === undefined) engines.push({ id: 'native', windowOptions: engineOption('native') });
  return { engines, nativeUnavailable: native };
}

function engineOption(id: EngineId): OperatorOptions {
  return { engine: id } as OperatorOptions;
}

/** Undefined when the engine ran the windowed queries correctly, else the reason it did not. */
async function tryEngine(id: EngineId): Promise<string | undefined> {
  const events = generateEvents(5_000, { ...DEFAULT_GENERATOR, eventsPerSecond: 100 });
  try {
    for (const query of QUERIES.filter((candidate) => candidate.windowed)) {
      const results = await collectResults(query, events, engineOption(id), { batchSize: 256 });
      verifyResults(`${query.id} (${id} engine)`, results, referenceResults(query.id, events));
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
