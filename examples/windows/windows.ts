/**
 * Event-time windows: clicks arrive out of order (up to 4 s), get their timestamps from the record, and are
 * counted per user in tumbling 10 s windows. A window fires when the watermark (the newest timestamp seen
 * minus 4 s, minus 1 ms) passes its end; a click up to 2 s later still updates it (a second firing), and
 * one later than that goes to the late-data side output. At end of input every remaining window fires.
 *
 * Run: pnpm exec tsx examples/windows/windows.ts
 */
import {
  Count,
  type Collector,
  LocalEnvironment,
  OutputTag,
  type ProcessWindowContext,
  ProcessWindowFunction,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '@sage/kernel';

interface Click {
  user: string;
  ts: number;
}

/** Receives the window's count from `Count` and says which window it belongs to. */
class DescribeWindow extends ProcessWindowFunction<number, string, string, TimeWindow> {
  process(user: string, context: ProcessWindowContext<TimeWindow>, counts: readonly number[], out: Collector<string>): void {
    const { start, end } = context.window;
    out.collect(`${user} [${start / 1000}s, ${end / 1000}s) count ${counts[0]}`);
  }
}

const clicks: Click[] = [
  { user: 'ada', ts: 1_000 },
  { user: 'bob', ts: 3_000 },
  { user: 'ada', ts: 8_000 },
  { user: 'ada', ts: 6_000 }, // out of order, within the 4 s bound
  { user: 'bob', ts: 15_000 }, // watermark 10.999 s: the first windows fire
  { user: 'ada', ts: 9_500 }, // late, within the allowed lateness: ada's first window fires again
  { user: 'bob', ts: 17_000 }, // watermark 12.999 s: the first windows are cleaned up
  { user: 'ada', ts: 2_000 }, // too late: side output
  { user: 'ada', ts: 12_000 },
];

const late = new OutputTag<Click>('late-clicks');
// Batches of one record: the watermark advances after every click, as in a live stream.
const env = new LocalEnvironment('windows', { batchSize: 1 });
const counts = env
  .fromBatch(clicks)
  .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(4_000).withTimestampAssigner((click) => click.ts))
  .keyBy((click) => click.user)
  .window(TumblingEventTimeWindows.of(10_000))
  .allowedLateness(2_000)
  .sideOutputLateData(late)
  .aggregate(Count, new DescribeWindow(), { name: 'clicks_per_user' });
counts.print();
counts.getSideOutput(late).print('late:');
await env.submit({ autostop: true });
