/** Terminal renderings of jobs for `sage job`; `--json` prints the records themselves instead. */
import type { JobLogEntry, JobRecord, JobSummary } from '@sage/kernel';

/** One row per job: id, name, status, submitted, duration. */
export function formatJobList(jobs: readonly JobSummary[], now: number): string {
  const rows = jobs.map((job) => [job.id, job.name, describeStatus(job), job.submittedAt, formatDuration(job, now)]);
  return formatTable(['ID', 'NAME', 'STATUS', 'SUBMITTED', 'DURATION'], rows);
}

/** The job's fields, then its operators with their metrics, then its edges. */
export function formatJobStatus(job: JobRecord, now: number): string {
  const lines = [
    `job ${job.id} (${job.name})`,
    `status:     ${describeStatus(job)}`,
    `submitted:  ${job.submittedAt}`,
    `started:    ${job.startedAt ?? '-'}`,
    `ended:      ${job.endedAt ?? '-'}`,
    `duration:   ${formatDuration(job, now)}`,
  ];
  if (job.error !== undefined) lines.push(`error:      ${job.error.code}: ${job.error.message}`);
  const operators = Object.values(job.operators).map((metrics) => [
    metrics.name,
    metrics.kind,
    String(metrics.parallelism),
    String(metrics.recordsIn),
    String(metrics.recordsOut),
    String(metrics.errors),
    String(metrics.skipped),
    String(metrics.busyMs),
    String(metrics.throughput),
  ]);
  lines.push('', 'operators:');
  lines.push(
    indent(formatTable(['NAME', 'KIND', 'PARALLELISM', 'IN', 'OUT', 'ERRORS', 'SKIPPED', 'BUSY MS', 'RECORDS/S'], operators)),
  );
  if (job.graph.edges.length > 0) {
    lines.push('edges:');
    for (const edge of job.graph.edges) lines.push(`  ${edge.from} -> ${edge.to} (${edge.partitioner})`);
  }
  return `${lines.join('\n')}\n`;
}

/** `2026-11-27T10:11:12.000Z INFO  worker-1: message` */
export function formatLogEntry(entry: JobLogEntry): string {
  const source = entry.source === '' ? '' : ` ${entry.source}:`;
  return `${entry.time} ${entry.level.toUpperCase().padEnd(5)}${source} ${entry.message}\n`;
}

function describeStatus(job: JobSummary): string {
  if (job.stopRequestedAt !== undefined && (job.status === 'running' || job.status === 'submitted')) {
    return `${job.status} (stop requested)`;
  }
  return job.status;
}

/** From start to end (or to now while running); `-` before the job starts. */
function formatDuration(job: JobSummary, now: number): string {
  if (job.startedAt === undefined) return '-';
  const end = job.endedAt === undefined ? now : Date.parse(job.endedAt);
  const ms = Math.max(0, end - Date.parse(job.startedAt));
  const text = ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return job.endedAt === undefined ? `${text} so far` : text;
}

function formatTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}
