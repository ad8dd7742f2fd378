import type { WindowOperatorCallOptions } from '@sage/kernel';
import { DEFAULT_GENERATOR, generateEvents } from './nexmark.js';
import { QUERIES } from './queries.js';
import { referenceResults, verifyResults } from './reference.js';
import { collectResults } from './run-query.js';

export type EngineId = 'typescript' | 'native';

export interface Engine {
  id: EngineId;
  /** Options given to every window operator of a query. */
  windowOptions: WindowOperatorCallOptions;
}

export interface EngineSelection {
  engines: Engine[];
  /** Why the native engine is not in the run. */
  nativeUnavailable?: string;
}

/**
 * Finds the window engines this build has by asking for them: with `engine: 'native'` the window operators of
 * q5, q7 and q11 run over a few thousand events and must give the reference's results. Without the addon
 * (not built, or failing to load) `native` is refused with the reason, and the native engine is reported as
 * not available, never stood in for. A kernel without the `engine` option refuses it as unknown: its one
 * engine, TypeScript, then runs without the option.
 */
export async function detectEngines(): Promise<EngineSelection> {
  const typescript = await tryEngine('typescript');
  const engines: Engine[] = [{ id: 'typescript', windowOptions: typescript === undefined ? engineOption('typescript') : {} }];
  const native = await tryEngine('native');
  if (native === undefined) engines.push({ id: 'native', windowOptions: engineOption('native') });
  return { engines, nativeUnavailable: native };
}

function engineOption(id: EngineId): WindowOperatorCallOptions {
  return { engine: id };
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
