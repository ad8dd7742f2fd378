/**
 * The SageDB benchmark: `pnpm bench:sage-db` from the repo root (`--help` for the flags). SageDB (HNSW and
 * flat, through its TypeScript face and its native layer) against hnswlib-node, usearch and exact scans.
 *
 * Single-thread comparison: the BLAS / OpenMP thread counts and SageDB's own (SAGE_DB_THREADS per call,
 * SAGE_DB_SEARCH_THREADS searching at once) are pinned to 1 here, before anything native is loaded (OpenMP and OpenBLAS read them when their libraries load), so
 * every module that may load an addon is imported only afterwards.
 */
for (const name of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'SAGE_DB_THREADS', 'SAGE_DB_SEARCH_THREADS']) {
  process.env[name] = '1';
}

const { readOptions } = await import('./options.js');
const options = readOptions(process.argv.slice(2));
const { runBenchmark } = await import('./bench.js');
await runBenchmark(options);
