import { cpus, totalmem } from 'node:os';
import { format, type Measurement } from '../kernel/harness.js';
import type { RagBenchOptions } from './options.js';
import { EMBED_BATCH, type Scores, TOP_K } from './workload.js';

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const rateRange = (m: Measurement) => `${fixed(Math.min(...m.rates), 1)} – ${fixed(Math.max(...m.rates), 1)}`;
/** Time per item over the raw embedder's, minus one: the share of the time that is not embedding. */
export const overhead = (m: Measurement, raw: Measurement) => raw.medianRate / m.medianRate - 1;
const percent = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

export function printHeader(options: RagBenchOptions, corpus: { documents: number; chunks: number }): void {
  const cpu = cpus();
  console.log('# SAGE RAG benchmark\n');
  console.log(`- date: ${new Date().toISOString()}`);
  console.log(`- node: ${process.version} (${process.platform}/${process.arch}), memory ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log(`- cpu: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores (os.cpus())`);
  console.log(`- corpus: examples/rag/corpus, ${corpus.documents} documents, ${corpus.chunks} chunks (recursive splitter 800/100)`);
  console.log(`- questions: the first ${options.questions} of examples/rag/eval.jsonl; dense top ${TOP_K}, QA prompt, extractive answer`);
  console.log(`- embedder: USE-lite (512-d, tfjs WASM), one uncached instance per contender, ${EMBED_BATCH} texts per model call when batching`);
  console.log(`- runs: ingest ${options.rounds} and questions ${options.questionRounds} measured rounds, every contender once a round, order rotating;`);
  console.log(`  medians reported. Warm-up: ingest of 3 documents per contender; questions: ${options.warmup} full round${options.warmup === 1 ? '' : 's'}\n`);
}

export function printIngest(results: Measurement[], raw: Measurement, sageName: string): void {
  const sage = results.find((m) => m.name === sageName);
  console.log('## Ingest\n');
  console.log('| contender | chunks | median chunks/s | range chunks/s | median ms | overhead over raw embedder | SAGE ÷ contender |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const m of results) {
    const vsRaw = m === raw ? '—' : percent(overhead(m, raw));
    const ratio = sage === undefined ? 'n/a' : fixed(sage.medianRate / m.medianRate, 2);
    console.log(`| ${m.name} | ${format(m.records)} | ${fixed(m.medianRate, 1)} | ${rateRange(m)} | ${format(m.medianMs)} | ${vsRaw} | ${ratio} |`);
  }
  console.log();
}

export function printQuestions(results: Measurement[], raw: Measurement, sageName: string, scores: Map<string, Scores>): void {
  const sage = results.find((m) => m.name === sageName);
  console.log('## Questions end to end\n');
  console.log('| contender | questions | median questions/s | range questions/s | median ms | overhead over raw query embeddings | recall@5 (doc) | token F1 | answered |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const m of results) {
    const s = scores.get(m.name);
    const vsRaw = m === raw ? '—' : percent(overhead(m, raw));
    const quality = s === undefined ? '— | — | —' : `${fixed(s.recall, 3)} | ${fixed(s.f1, 3)} | ${s.answered}/${m.records}`;
    console.log(`| ${m.name} | ${format(m.records)} | ${fixed(m.medianRate, 1)} | ${rateRange(m)} | ${format(m.medianMs)} | ${vsRaw} | ${quality} |`);
  }
  void sage;
  console.log('\nrecall@5 is by document (chunk `sourceId` vs `relevantIds`) over the top 4 retrieved, so it equals recall@4;');
  console.log('token F1 is `tokenF1` of `@sage/libs/rag` (SQuAD normalisation, best reference).\n');
}

export function printRatios(rows: Array<[label: string, numerator: Measurement, denominator: Measurement]>): void {
  console.log('## Ratios (same run, medians)\n');
  console.log('| ratio | value |');
  console.log('|---|---:|');
  for (const [label, numerator, denominator] of rows) console.log(`| ${label} | ${fixed(numerator.medianRate / denominator.medianRate, 2)} |`);
  console.log();
}

export interface OverheadTarget {
  label: string;
  measured: Measurement;
  raw: Measurement;
}

export interface RatioTarget {
  label: string;
  ratioName: string;
  numerator: Measurement;
  denominator: Measurement;
  min: number;
}

export function printTargets(overheads: OverheadTarget[], ratios: RatioTarget[], notes: string[]): void {
  console.log('## Targets\n');
  console.log('| target | measured | result |');
  console.log('|---|---|---|');
  for (const { label, measured, raw } of overheads) {
    const value = overhead(measured, raw);
    const detail = `${percent(value)} (${fixed(measured.medianRate, 1)} vs raw ${fixed(raw.medianRate, 1)} per s)`;
    console.log(`| ${label} | ${detail} | ${value < 0.1 ? 'PASS' : 'MISS'} |`);
  }
  for (const { label, ratioName, numerator, denominator, min } of ratios) {
    const ratio = numerator.medianRate / denominator.medianRate;
    const detail = `${ratioName} = ${fixed(ratio, 2)} (${fixed(numerator.medianRate, 1)} vs ${fixed(denominator.medianRate, 1)} per s)`;
    console.log(`| ${label} | ${detail} | ${ratio >= min ? 'PASS' : 'MISS'} |`);
  }
  for (const note of notes) console.log(`\n${note}`);
  console.log('\nTargets are informational: the exit code is 0 either way (a failed ingest verification exits 1).');
}
