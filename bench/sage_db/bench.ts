/**
 * The SageDB benchmark's orchestration, per dataset: generate, ground truth, build every contender, sweep
 * efSearch for the HNSW ones, re-measure the settings that reach each recall target, time exact scans,
 * run filtered searches, print the report. run.ts loads this after fixing the thread environment.
 */
import { measureBandwidth } from './bandwidth.js';
import type { Contender, Runner } from './contenders/contender.js';
import { hnswlibContender } from './contenders/hnswlib.js';
import { jsExactContender } from './contenders/js-exact.js';
import { usearchContender } from './contenders/usearch.js';
import { usearchExactContender } from './contenders/usearch-exact.js';
import { type Dataset, makeDataset, SELECTIVITIES } from './dataset.js';
import { type GroundTruth, groundTruth } from './ground-truth.js';
import { collectGarbage, median, memory, rotate, score, timedPass } from './measure.js';
import { type BenchOptions, CONTENDER_IDS, type ContenderId } from './options.js';
import { printDataset, printHeader, printTargets } from './report.js';
import {
  type AnnResult,
  type BuildResult,
  type DatasetResult,
  type ExactResult,
  type FilteredResult,
  RECALL_TARGETS,
} from './results.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
/** Exact scans are timed over as many queries as fit in this budget per round (at least 5). */
const EXACT_BUDGET_MS = 3000;
const WARMUP_QUERIES = 100;

export async function runBenchmark(options: BenchOptions): Promise<void> {
  log('measuring memory bandwidth (1 GiB buffers)...');
  const bandwidth = measureBandwidth(collectGarbage);
  printHeader(options, bandwidth);
  for (const size of options.datasets) {
    const result = await runDataset(options, size.count, size.dimension);
    printDataset(result, bandwidth);
    printTargets(result, bandwidth);
  }
  console.log('\nTargets are informational: the exit code is 0 either way.');
}

/** Display names, for contenders that fail before they exist. */
const NAMES: Record<ContenderId, string> = {
  'sage-hnsw': 'SageDB HNSW',
  'sage-native': 'SageDB native layer HNSW',
  hnswlib: 'hnswlib-node',
  usearch: 'usearch',
  'sage-flat': 'SageDB flat',
  'sage-native-flat': 'SageDB native layer flat',
  'js-exact': 'pure-JS exact scan',
  'usearch-exact': 'usearch exactSearch',
};

/** SageDB modules are imported lazily, so that the peers still run (and the report says why) when it is not built. */
function contenderFactories(options: BenchOptions): Record<ContenderId, () => Promise<Contender>> {
  const { M, efConstruction } = options;
  const sageDb = async (kind: 'hnsw' | 'flat') => (await import('./contenders/sage-db.js')).sageDbContender(kind, M, efConstruction);
  const sageNative = async (kind: 'hnsw' | 'flat') => (await import('./contenders/sage-native.js')).sageNativeContender(kind, M, efConstruction);
  return {
    'sage-hnsw': () => sageDb('hnsw'),
    'sage-native': () => sageNative('hnsw'),
    hnswlib: async () => hnswlibContender(M, efConstruction),
    usearch: async () => usearchContender(M, efConstruction, collectGarbage),
    'sage-flat': () => sageDb('flat'),
    'sage-native-flat': () => sageNative('flat'),
    'js-exact': async () => jsExactContender(),
    'usearch-exact': async () => usearchExactContender(),
  };
}

async function runDataset(options: BenchOptions, count: number, dimension: number): Promise<DatasetResult> {
  const { k, queries } = options;
  log(`\n== dataset ${count} x ${dimension}, ${queries} queries ==`);
  let started = performance.now();
  const dataset = makeDataset({ count, dimension, queries, clusters: options.clusters, seed: options.seed });
  const generateSeconds = (performance.now() - started) / 1000;
  log(`generated in ${generateSeconds.toFixed(1)} s; ground truth...`);
  started = performance.now();
  const truth = await groundTruth(dataset, k, options.cache, log);
  log(`ground truth ${truth.cached ? `read from ${truth.file}` : `computed in ${truth.seconds.toFixed(1)} s, cached in ${truth.file}`}`);

  const factories = contenderFactories(options);
  const builds: BuildResult[] = [];
  const contenders: Contender[] = [];
  const built: Contender[] = [];
  for (const id of CONTENDER_IDS.filter((id) => options.only.has(id))) {
    let contender: Contender;
    try {
      contender = await factories[id]();
    } catch (error) {
      log(`  ${NAMES[id]} is not available: ${error instanceof Error ? error.stack : error}`);
      builds.push({ name: NAMES[id], seconds: 0, vectorsPerSecond: 0, rssDelta: 0, heapDelta: 0, error: describe(error) });
      continue;
    }
    contenders.push(contender);
    const result = await build(contender, dataset);
    builds.push(result);
    if (result.error === undefined) built.push(contender);
  }
  const ann = await annSection(options, built.filter((c) => c.kind === 'hnsw'), truth);
  const exact = await exactSection(options, built.filter((c) => c.kind === 'exact'), dataset, truth);
  const filtered = await filteredSection(options, built, ann, dataset, truth);
  for (const contender of contenders) await contender.dispose();
  collectGarbage();
  return {
    count,
    dimension,
    queries,
    k,
    generateSeconds,
    truth: { file: truth.file, cached: truth.cached, seconds: truth.seconds },
    builds,
    ann,
    exact,
    filtered,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function build(contender: Contender, dataset: Dataset): Promise<BuildResult> {
  log(`building ${contender.name}...`);
  const before = memory();
  const started = performance.now();
  try {
    await contender.build(dataset);
  } catch (error) {
    log(`  ${contender.name} failed to build: ${error instanceof Error ? error.stack : error}`);
    return { name: contender.name, seconds: 0, vectorsPerSecond: 0, rssDelta: 0, heapDelta: 0, error: describe(error) };
  }
  const seconds = (performance.now() - started) / 1000;
  const after = memory();
  const saved = await contender.savedSize?.().catch((error) => {
    log(`  ${contender.name}: saving failed: ${describe(error)}`);
    return undefined;
  });
  log(`  ${contender.name}: ${seconds.toFixed(1)} s`);
  return {
    name: contender.name,
    seconds,
    vectorsPerSecond: dataset.spec.count / seconds,
    rssDelta: after.rss - before.rss,
    heapDelta: after.heap - before.heap,
    saved,
    indexless: contender.indexless,
  };
}

/**
 * Sweeps efSearch upwards for every HNSW runner (interleaved, rotating order) until it reaches the highest
 * recall target, then re-measures the smallest setting reaching each target `rounds` times.
 */
async function annSection(options: BenchOptions, contenders: Contender[], truth: GroundTruth): Promise<AnnResult[]> {
  const { k, queries, efSweep, rounds } = options;
  const entries = contenders.flatMap((contender) => contender.runners.map((runner) => ({ contender, runner })));
  const results = new Map<Runner, AnnResult>(entries.map(({ contender, runner }) => [runner, { name: runner.name, contender: contender.name, points: [], atRecall: [] }]));
  const highest = Math.max(...RECALL_TARGETS);
  const failed = (runner: Runner, error: unknown) => {
    results.get(runner)!.error = describe(error);
    log(`  ${runner.name} failed: ${error instanceof Error ? error.stack : error}`);
  };
  log(`warm-up: ${Math.min(WARMUP_QUERIES, queries)} queries per runner`);
  for (const { runner } of entries) await timedPass(runner, { k, ef: efSweep[0]!, count: Math.min(WARMUP_QUERIES, queries) }).catch((e) => failed(runner, e));
  let active = entries.filter(({ runner }) => results.get(runner)!.error === undefined);
  for (const [step, ef] of efSweep.entries()) {
    if (active.length === 0) break;
    for (const { runner } of rotate(active, step)) {
      try {
        const pass = await timedPass(runner, { k, ef, count: queries });
        const { recall } = score(pass.labels, truth.unfiltered, k, Number.MAX_SAFE_INTEGER);
        results.get(runner)!.points.push({ ef, recall, qps: (queries * 1000) / pass.ms });
        log(`  ef ${ef} ${runner.name}: recall ${recall.toFixed(4)}, ${Math.round((queries * 1000) / pass.ms)} q/s`);
      } catch (error) {
        failed(runner, error);
      }
    }
    active = active.filter(({ runner }) => {
      const result = results.get(runner)!;
      return result.error === undefined && (result.points.at(-1)?.recall ?? 0) < highest;
    });
  }
  // Re-measure the settings around each target (the last one below it and the first one reaching it):
  // every (runner, setting) once per round, in rotating order; then interpolate queries/s at the target.
  const settings: Array<{ runner: Runner; ef: number; qps: number[] }> = [];
  const remeasured = (runner: Runner, ef: number) => {
    let entry = settings.find((s) => s.runner === runner && s.ef === ef);
    if (entry === undefined) settings.push((entry = { runner, ef, qps: [] }));
    return entry;
  };
  const brackets = entries.flatMap(({ runner }) => {
    const { points, error } = results.get(runner)!;
    return RECALL_TARGETS.map((target) => {
      const at = points.findIndex((p) => p.recall >= target);
      if (at < 0 || error !== undefined) return { runner, target };
      const above = { point: points[at]!, timing: remeasured(runner, points[at]!.ef) };
      const below = at > 0 ? { point: points[at - 1]!, timing: remeasured(runner, points[at - 1]!.ef) } : undefined;
      return { runner, target, above, below };
    });
  });
  for (let round = 0; round < rounds; round++) {
    for (const entry of rotate(settings, round)) {
      const pass = await timedPass(entry.runner, { k, ef: entry.ef, count: queries });
      entry.qps.push((queries * 1000) / pass.ms);
    }
  }
  for (const { runner, target, above, below } of brackets) {
    const result = results.get(runner)!;
    if (above === undefined) {
      result.atRecall.push({ target });
      continue;
    }
    const qpsAbove = median(above.timing.qps);
    let qps = qpsAbove;
    if (below !== undefined) {
      const qpsBelow = median(below.timing.qps);
      const share = (target - below.point.recall) / (above.point.recall - below.point.recall);
      qps = qpsBelow + share * (qpsAbove - qpsBelow);
    }
    result.atRecall.push({
      target,
      ef: above.point.ef,
      recall: above.point.recall,
      qpsAtEf: qpsAbove,
      below: below === undefined ? undefined : { ef: below.point.ef, recall: below.point.recall },
      qps,
    });
  }
  return [...results.values()];
}

/**
 * Single-query exact scans, each timed over as many queries as fit in the budget; every round runs every
 * runner once (rotating order), median of `rounds`.
 */
async function exactSection(options: BenchOptions, contenders: Contender[], dataset: Dataset, truth: GroundTruth): Promise<ExactResult[]> {
  const { k, queries, rounds } = options;
  const { count, dimension } = dataset.spec;
  const entries: Array<{ runner: Runner; timed: number; ms: number[]; recall: number; error?: string }> = [];
  for (const contender of contenders) {
    const runner = contender.runners[0]!;
    try {
      const probe = await timedPass(runner, { k, ef: 0, count: Math.min(3, queries) });
      const perQuery = probe.ms / Math.min(3, queries);
      const timed = Math.max(Math.min(5, queries), Math.min(queries, Math.round(EXACT_BUDGET_MS / perQuery)));
      entries.push({ runner, timed, ms: [], recall: 1 });
    } catch (error) {
      log(`  ${runner.name} failed: ${error instanceof Error ? error.stack : error}`);
      entries.push({ runner, timed: 0, ms: [], recall: 0, error: describe(error) });
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const entry of rotate(entries, round)) {
      if (entry.error !== undefined) continue;
      try {
        const pass = await timedPass(entry.runner, { k, ef: 0, count: entry.timed });
        entry.ms.push(pass.ms / entry.timed);
        entry.recall = score(pass.labels, truth.unfiltered, k, count).recall;
      } catch (error) {
        log(`  ${entry.runner.name} failed: ${error instanceof Error ? error.stack : error}`);
        entry.error = describe(error);
      }
    }
  }
  return entries.map(({ runner, timed, ms, recall, error }) => {
    if (error !== undefined) return { name: runner.name, msPerQuery: 0, gbPerSecond: 0, recall: 0, queries: 0, error };
    const msPerQuery = median(ms);
    log(`  exact ${runner.name}: ${msPerQuery.toFixed(2)} ms/query over ${timed} queries, recall ${recall.toFixed(4)}`);
    return { name: runner.name, msPerQuery, gbPerSecond: (count * dimension * 4) / (msPerQuery / 1000) / 1e9, recall, queries: timed };
  });
}

/**
 * Filtered search at each selectivity. HNSW runners use the efSearch at which they reached the highest
 * recall target unfiltered (the largest swept value when they never did).
 */
async function filteredSection(
  options: BenchOptions,
  contenders: Contender[],
  ann: AnnResult[],
  dataset: Dataset,
  truth: GroundTruth,
): Promise<FilteredResult[]> {
  const { k, queries, efSweep } = options;
  const highest = Math.max(...RECALL_TARGETS);
  const withFilter = contenders.filter((c) => c.filtered !== undefined);
  const efOf = (contender: Contender) => {
    const result = ann.find((a) => a.name === contender.runners[0]!.name);
    return result?.atRecall.find((a) => a.target === highest)?.ef ?? efSweep.at(-1)!;
  };
  const results: FilteredResult[] = [];
  for (const [index, { label, threshold }] of SELECTIVITIES.entries()) {
    const matches = truth.matches[index]!;
    for (const contender of rotate(withFilter, index)) {
      const runner = contender.filtered!;
      const ef = contender.kind === 'hnsw' ? efOf(contender) : 0;
      const entry: FilteredResult = { selectivity: label, matches, name: runner.name, how: runner.how, ef };
      try {
        const pass = await timedPass(runner, { k, ef, count: queries, threshold });
        entry.score = score(pass.labels, truth.filtered[index]!, k, dataset.spec.count, (l) => dataset.sel[l]! < threshold);
        entry.qps = (queries * 1000) / pass.ms;
        log(`  filter ${label} ${runner.name}: recall ${entry.score.recall.toFixed(4)}, exact-k ${entry.score.exactK}/${queries}, ${Math.round(entry.qps)} q/s`);
      } catch (error) {
        entry.error = describe(error);
        log(`  filter ${label} ${runner.name} failed: ${error instanceof Error ? error.stack : error}`);
      }
      results.push(entry);
    }
  }
  return results;
}
