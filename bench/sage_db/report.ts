/** The markdown report on stdout: header, then per dataset its tables and the targets. */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { loadSageDbNative } from '@sage/sage-db-native';
import type { Bandwidth } from './bandwidth.js';
import type { BenchOptions } from './options.js';
import { type AnnResult, type DatasetResult, RECALL_TARGETS } from './results.js';

const SAGE_HNSW = 'SageDB HNSW';
const SAGE_HNSW_SYNC = 'SageDB HNSW (searchSync)';
const SAGE_FLAT = 'SageDB flat';
const PEERS = ['hnswlib-node', 'usearch'];

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits: number) => value.toFixed(digits);

/** Size of the last-level cache per /sys (Linux), in bytes; undefined elsewhere. */
function lastLevelCache(): number | undefined {
  for (const index of [3, 2]) {
    try {
      const text = readFileSync(`/sys/devices/system/cpu/cpu0/cache/index${index}/size`, 'utf8').trim();
      const match = /^(\d+)([KMG]?)$/.exec(text);
      if (match) return Number(match[1]) * ({ '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 } as Record<string, number>)[match[2]!]!;
    } catch {
      // not Linux, or no such cache level
    }
  }
  return undefined;
}

function sageDbNativeInfo(): string {
  try {
    const native = loadSageDbNative();
    return `FAISS ${native.faissVersion}, ${native.simd} distance kernels, ${native.threadsPerCall} thread(s) per call`;
  } catch (error) {
    return `not available (${error instanceof Error ? error.message : String(error)})`;
  }
}

function installedVersion(name: string): string {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

export function printHeader(options: BenchOptions, bandwidth: Bandwidth): void {
  const cpu = cpus();
  const threads = ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'SAGE_DB_THREADS', 'SAGE_DB_SEARCH_THREADS'].map((name) => `${name}=${process.env[name] ?? 'unset'}`).join(' ');
  console.log(`# SageDB vector search benchmark${options.quick ? ' (--quick)' : ''}\n`);
  console.log(`- date: ${new Date().toISOString()}`);
  console.log(`- node: ${process.version} (${process.platform}/${process.arch}), memory ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  const llc = lastLevelCache();
  console.log(
    `- cpu: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores (os.cpus())` +
      (llc === undefined ? '' : `, last-level cache ${(llc / 2 ** 20).toFixed(0)} MiB`),
  );
  console.log(`- threads: single-thread comparison; this process runs with ${threads}; usearch add/search get threads=1`);
  console.log(`- SageDB addon: ${sageDbNativeInfo()}`);
  console.log(`- peers: hnswlib-node ${installedVersion('hnswlib-node')}, usearch ${installedVersion('usearch')}`);
  console.log(
    `- HNSW: M=${options.M}, efConstruction=${options.efConstruction} for every HNSW contender (usearch: connectivity / expansion_add); ` +
      `efSearch sweep ${options.efSweep.join(', ')}`,
  );
  console.log(`- k=${options.k}; ${options.rounds} measured round(s) at each chosen setting, median reported; metric: squared L2`);
  console.log(
    `- single-thread memory bandwidth (1e9 bytes/s): read ${fixed(bandwidth.read, 1)} GB/s (memchr ${fixed(bandwidth.memchr, 1)}, ` +
      `memcmp ${fixed(bandwidth.memcmp, 1)}); memcpy ${fixed(bandwidth.memcpy, 1)} GB/s (read + write); JS Float32Array sum ${fixed(bandwidth.jsSum, 1)} GB/s`,
  );
}

export function printDataset(result: DatasetResult, bandwidth: Bandwidth): void {
  const { count, dimension, queries, k } = result;
  const vectorBytes = dimension * 4;
  console.log(`\n## ${int(count)} x ${dimension} (${queries} queries, k=${k})\n`);
  console.log(
    `Data: Gaussian mixture generated in ${fixed(result.generateSeconds, 1)} s; ground truth by pure-JS exact scan ` +
      (result.truth.cached ? `(read from cache ${result.truth.file}).` : `(${fixed(result.truth.seconds, 1)} s, cached in ${result.truth.file}).`),
  );

  console.log(`\n### Build (raw vector = ${vectorBytes} bytes)\n`);
  console.log('| contender | build s | vectors/s | RSS Δ bytes/vector | heap Δ bytes/vector | saved bytes/vector | saved what |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const b of result.builds) {
    if (b.error !== undefined) {
      console.log(`| ${b.name} | FAILED: ${b.error} | | | | | |`);
      continue;
    }
    if (b.indexless) {
      console.log(`| ${b.name} | no index: scans the dataset's Float32Array in place | | | | | |`);
      continue;
    }
    const saved = b.saved === undefined ? 'n/a' : int(b.saved.bytes / count);
    console.log(
      `| ${b.name} | ${fixed(b.seconds, 1)} | ${int(b.vectorsPerSecond)} | ${int(b.rssDelta / count)} | ${int(b.heapDelta / count)} | ${saved} | ${b.saved?.what ?? ''} |`,
    );
  }

  console.log('\n### Queries/s at equal recall@10 (single thread)\n');
  console.log(
    'q/s at exactly the target recall, interpolated linearly between the two swept efSearch values around it ' +
      '(both re-measured); `ef` = those values; `÷ SageDB` = runner ÷ SageDB HNSW (single query) at that recall.\n',
  );
  const sage = result.ann.find((a) => a.name === SAGE_HNSW);
  console.log(`| runner | ${RECALL_TARGETS.map((t) => `ef @${t} | q/s @${t} | ÷ SageDB`).join(' | ')} |`);
  console.log(`|---|${RECALL_TARGETS.map(() => '---:|---:|---:').join('|')}|`);
  for (const a of result.ann) {
    if (a.error !== undefined && a.points.length === 0) {
      console.log(`| ${a.name} | FAILED: ${a.error} |${RECALL_TARGETS.map(() => ' | |').join('')}`);
      continue;
    }
    const cells = a.atRecall.map((at) => {
      if (at.ef === undefined || at.qps === undefined) return `not reached (best ${fixed(Math.max(0, ...a.points.map((p) => p.recall)), 4)}) | | `;
      const reference = sage?.atRecall.find((s) => s.target === at.target)?.qps;
      const ef = at.below === undefined ? `${at.ef}` : `${at.below.ef}–${at.ef}`;
      return `${ef} | ${int(at.qps)} | ${reference === undefined ? 'n/a' : fixed(at.qps / reference, 2)}`;
    });
    console.log(`| ${a.name} | ${cells.join(' | ')} |`);
  }
  printSweep(result.ann);

  console.log(`\n### Exact single-query scan (${int(count * vectorBytes)} bytes of vectors per query)\n`);
  const llc = lastLevelCache();
  if (llc !== undefined && count * vectorBytes <= llc) {
    console.log(`The vectors fit in the ${(llc / 2 ** 20).toFixed(0)} MiB last-level cache: these scans run at cache, not memory, bandwidth.\n`);
  }
  console.log('| runner | ms/query | GB/s scanned | % of read bandwidth | recall@10 | queries timed |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const e of result.exact) {
    if (e.error !== undefined) {
      console.log(`| ${e.name} | FAILED: ${e.error} | | | | |`);
      continue;
    }
    console.log(
      `| ${e.name} | ${fixed(e.msPerQuery, 2)} | ${fixed(e.gbPerSecond, 1)} | ${fixed((100 * e.gbPerSecond) / bandwidth.read, 0)}% | ${fixed(e.recall, 4)} | ${e.queries} |`,
    );
  }

  console.log('\n### Filtered search (metadata `sel` uniform in 0..999, filter `sel < t`)\n');
  console.log('| selectivity | matches | runner | efSearch | recall@10 | exact-k | wrong | q/s | how |');
  console.log('|---|---:|---|---:|---:|---:|---:|---:|---|');
  for (const f of result.filtered) {
    const ef = f.ef === 0 ? 'exact' : String(f.ef);
    if (f.score === undefined || f.qps === undefined) {
      console.log(`| ${f.selectivity} | ${int(f.matches)} | ${f.name} | ${ef} | FAILED: ${f.error} | | | | ${f.how} |`);
      continue;
    }
    const { recall, exactK, wrong, queries: n } = f.score;
    console.log(`| ${f.selectivity} | ${int(f.matches)} | ${f.name} | ${ef} | ${fixed(recall, 4)} | ${exactK}/${n} | ${wrong} | ${int(f.qps)} | ${f.how} |`);
  }
}

/** Every sweep point: efSearch down, runners across, "recall / q/s" (each measured once). */
function printSweep(ann: AnnResult[]): void {
  const efs = [...new Set(ann.flatMap((a) => a.points.map((p) => p.ef)))].sort((a, b) => a - b);
  if (efs.length === 0) return;
  console.log('\n<details><summary>efSearch sweep (recall@10 / queries/s, one pass each)</summary>\n');
  console.log(`| efSearch | ${ann.map((a) => a.name).join(' | ')} |`);
  console.log(`|---:|${ann.map(() => '---:').join('|')}|`);
  for (const ef of efs) {
    const cells = ann.map((a) => {
      const point = a.points.find((p) => p.ef === ef);
      return point === undefined ? '' : `${fixed(point.recall, 4)} / ${int(point.qps)}`;
    });
    console.log(`| ${ef} | ${cells.join(' | ')} |`);
  }
  console.log('\n</details>');
}

export function printTargets(result: DatasetResult, bandwidth: Bandwidth): void {
  const rows: Array<[string, string, 'PASS' | 'MISS' | 'SKIP']> = [];
  // Like for like: the peers answer synchronously on the JavaScript thread, as `searchSync` does; an awaited
  // `search` also pays the hand-off to a search thread and back.
  for (const [runner, how] of [
    [SAGE_HNSW_SYNC, 'searchSync'],
    [SAGE_HNSW, 'awaited search'],
  ] as const) {
    const sage = result.ann.find((a) => a.name === runner);
    for (const target of RECALL_TARGETS) {
      const label = `SageDB HNSW ${how} q/s at recall@10 ${target} ≥ best peer`;
      const ours = sage?.atRecall.find((a) => a.target === target)?.qps;
      const peers = result.ann
        .filter((a) => PEERS.includes(a.name))
        .map((a) => ({ name: a.name, qps: a.atRecall.find((at) => at.target === target)?.qps }))
        .filter((p): p is { name: string; qps: number } => p.qps !== undefined);
      const best = peers.sort((a, b) => b.qps - a.qps)[0];
      if (sage === undefined || best === undefined) rows.push([label, sage === undefined ? `${runner} not run` : 'no peer reached it', 'SKIP']);
      else if (ours === undefined) rows.push([label, `SageDB never reached ${target}; best peer ${best.name} ${int(best.qps)} q/s`, 'MISS']);
      else rows.push([label, `${int(ours)} vs ${best.name} ${int(best.qps)} q/s (${fixed(ours / best.qps, 2)}×)`, ours >= best.qps ? 'PASS' : 'MISS']);
    }
  }
  const filtered = result.filtered.filter((f) => f.name === SAGE_HNSW);
  const filterLabel = 'SageDB HNSW filtered recall@10 ≥ 0.99 (and exactly min(k, matches) results) at every selectivity';
  if (filtered.length === 0) rows.push([filterLabel, 'not run', 'SKIP']);
  else {
    const ok = filtered.every((f) => f.score !== undefined && f.score.recall >= 0.99 && f.score.exactK === f.score.queries && f.score.wrong === 0);
    const detail = filtered.map((f) => (f.score === undefined ? `${f.selectivity}: failed` : `${f.selectivity}: ${fixed(f.score.recall, 4)}`)).join(', ');
    rows.push([filterLabel, detail, ok ? 'PASS' : 'MISS']);
  }
  const flat = result.exact.find((e) => e.name === SAGE_FLAT && e.error === undefined);
  const scanLabel = 'SageDB flat single-query scan ≥ 70% of read bandwidth';
  if (flat === undefined) rows.push([scanLabel, 'not run', 'SKIP']);
  else {
    const share = flat.gbPerSecond / bandwidth.read;
    rows.push([scanLabel, `${fixed(flat.gbPerSecond, 1)} of ${fixed(bandwidth.read, 1)} GB/s (${fixed(100 * share, 0)}%)`, share >= 0.7 ? 'PASS' : 'MISS']);
  }
  console.log(`\n### Targets (${int(result.count)} x ${result.dimension})\n`);
  console.log('| target | measured | result |');
  console.log('|---|---|---|');
  for (const [label, measured, verdict] of rows) console.log(`| ${label} | ${measured} | ${verdict} |`);
}
