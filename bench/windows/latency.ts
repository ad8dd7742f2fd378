import { loadavg } from 'node:os';
import { END_OF_STREAM, type EndOfStream, type WindowOperatorCallOptions } from '@sage/kernel';
import { collectGarbage, type GcSummary, gcDuring } from '../kernel/harness.js';
import { type GeneratorConfig, type NexmarkEvent, NexmarkGenerator, streamEvents } from './nexmark.js';
import type { QueryDefinition, WindowValue } from './queries.js';
import { referenceResults, ResultDigest } from './reference.js';
import { OUT_OF_ORDERNESS_MS, runQuery } from './run-query.js';

/**
 * Window-result latency under a steady load. A paced source offers event `i` at `start + i / rate` of wall
 * time, its arrival. A window with `maxTimestamp` m can fire once the watermark (newest event time minus
 * 4 s, minus 1 ms) reaches m, that is once an event with time >= m + 4,001 ms has arrived: the first such
 * event is the one that makes the result due. A result's latency is the wall time its sink receives it minus
 * that event's arrival, so it covers batching in the source, the watermark's way through the job, the
 * firing (with every result of the same firing before it) and the hop to the sink. Results that only the
 * end of input fires have no such event and are left out.
 *
 * The source makes each event when it is due (as Nexmark's generator source does), and the sink keeps only
 * each result's latency and a digest of the results, as a sink that writes its results elsewhere would: a
 * run's length is not bounded by memory, and the heap holds nothing of the harness that collections would
 * copy again and again. After the run the reference computes the expected results from the same seed.
 */

/**
 * A paced source that is ahead of schedule sleeps until this long after its next event is due (then every
 * event due by then goes out at once), instead of waking for each event: at 500,000 events/s, one wake-up per
 * 25 events instead of one per event or two.
 */
export const ARRIVAL_TICK_MS = 0.05;

export interface LatencyRun {
  query: QueryDefinition<any>;
  /** The source offers the first `events` events of `generator`. */
  events: number;
  generator: GeneratorConfig;
  /** Events per second of wall time offered by the source. */
  rate: number;
  windowOptions: WindowOperatorCallOptions;
  /** Linger of the source's partly filled batches; the default of 5 ms would dominate a latency run. */
  lingerMs: number;
}

export interface LatencyResult {
  /** Results with a latency (those not fired by the end of input). */
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How far behind schedule the source was at its last event (it could not keep the rate if large). */
  sourceLagMs: number;
  seconds: number;
  /** CPU time of this process over wall time: below 1 means the process waited for a core some of the time. */
  cpuShare: number;
  /** The machine's 1-minute load average at the end of the run. */
  loadAverage: number;
  /** The garbage collector's pauses during the run. */
  gc: GcSummary;
}

/**
 * The maximum rate of the latency run's job: the same source function offering every event at once (no
 * pacing), so its per-record pulls, batching and linger are part of it. Events per wall second.
 */
export async function measureMaxRate(run: Omit<LatencyRun, 'rate'>): Promise<number> {
  // As before each throughput run, what ran before is collected now, not on the paced run's clock. A full
  // collection can drop optimised code, so a first unpaced run warms the job up again and the second one is
  // measured; the paced run follows it with nothing in between.
  collectGarbage();
  await measureLatency({ ...run, rate: Number.POSITIVE_INFINITY });
  const result = await measureLatency({ ...run, rate: Number.POSITIVE_INFINITY });
  return run.events / result.seconds;
}

export async function measureLatency(run: LatencyRun): Promise<LatencyResult> {
  const { events, rate } = run;
  const generator = new NexmarkGenerator(run.generator);
  // Event i arrives at `start + i / rate`; the steps say which event first brought each newest event time.
  const arrival = (index: number) => start + (index * 1000) / rate;
  const steps = new NewestTimeSteps();
  let latencies: Float64Array = new Float64Array(1 << 16);
  let samples = 0;
  const digest = new ResultDigest();
  let lagMs = 0;
  let start = 0;
  let next = 0;
  const offer = (): NexmarkEvent => {
    const event = generator.next();
    steps.add(next++, event.dateTime);
    return event;
  };
  const source = (): NexmarkEvent | EndOfStream | Promise<NexmarkEvent | EndOfStream> => {
    if (next === events) return END_OF_STREAM;
    if (next === 0) start = performance.now();
    const due = arrival(next);
    const now = performance.now();
    if (now >= due) {
      if (next === events - 1) lagMs = now - due;
      return offer();
    }
    // Ahead of schedule: wake a tick after the event is due and offer what has arrived by then, as a source
    // reading a socket or a broker gets records in small bursts. The wait counts in the latency.
    return waitUntil(due + ARRIVAL_TICK_MS).then(offer);
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await runQuery({
    query: run.query,
    source,
    windowOptions: run.windowOptions,
    environment: { lingerMs: run.lingerMs },
    onResult: (result) => {
      const at = performance.now();
      const due = steps.firstEventAtLeast((result as WindowValue).windowEnd - 1 + OUT_OF_ORDERNESS_MS + 1);
      if (due !== undefined) {
        if (samples === latencies.length) latencies = grown(latencies);
        latencies[samples++] = at - arrival(due);
      }
      digest.add(result);
    },
  });
  const ended = performance.now();
  const seconds = (ended - started) / 1000;
  const gc = await gcDuring(started, ended);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuShare = (cpu.user + cpu.system) / 1e6 / seconds;
  // After the run, so that the garbage of computing the reference is not collected on the run's clock.
  digest.verify(`${run.query.id} latency run`, ResultDigest.of(referenceResults(run.query.id, streamEvents(events, run.generator))));
  const sorted = latencies.subarray(0, samples).sort();
  const quantile = (q: number) => (samples === 0 ? Number.NaN : sorted[Math.min(samples - 1, Math.floor(q * samples))]!);
  return {
    samples,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    maxMs: samples === 0 ? Number.NaN : sorted[samples - 1]!,
    sourceLagMs: lagMs,
    seconds,
    cpuShare,
    loadAverage: loadavg()[0]!,
    gc,
  };
}

/**
 * The events at which the newest event time so far went up, with that time: the watermark each brought. One
 * entry per step (at most one per millisecond of event time), not one per event, so a long run stays small.
 */
class NewestTimeSteps {
  private times: Float64Array = new Float64Array(1 << 16);
  private indexes: Float64Array = new Float64Array(1 << 16);
  private length = 0;
  private newest = Number.NEGATIVE_INFINITY;

  add(index: number, eventTime: number): void {
    if (eventTime <= this.newest) return;
    this.newest = eventTime;
    if (this.length === this.times.length) {
      this.times = grown(this.times);
      this.indexes = grown(this.indexes);
    }
    this.times[this.length] = eventTime;
    this.indexes[this.length++] = index;
  }

  /** The first event seen whose newest event time was >= `target`. */
  firstEventAtLeast(target: number): number | undefined {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.times[mid]! >= target) high = mid;
      else low = mid + 1;
    }
    return low < this.length ? this.indexes[low] : undefined;
  }
}

function grown(values: Float64Array): Float64Array {
  const larger = new Float64Array(values.length * 2);
  larger.set(values);
  return larger;
}

/**
 * Resolves at `due` (performance.now() time): a timer for the part beyond the next 1.5 ms, then two turns of
 * the event loop, so that what the job has to do now runs first (the source's hand-over of its partial batch
 * waits for the turn after the source starts waiting, and sets off the work downstream), then a busy wait on
 * the clock. Spinning the event loop with setImmediate until `due` made one Immediate per turn: ~230 B of
 * garbage per event at 250,000 events/s, more than the job's own, so its young-generation collections came
 * more often than with a source reading a socket.
 */
function waitUntil(due: number): Promise<void> {
  return new Promise((resolve) => {
    const spin = () => {
      while (performance.now() < due);
      resolve();
    };
    const turns = () => setImmediate(() => setImmediate(spin));
    const ahead = due - performance.now();
    if (ahead > 2) setTimeout(turns, ahead - 1.5);
    else turns();
  });
}
