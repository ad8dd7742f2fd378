import {
  type Collector,
  Count,
  type DataStream,
  EventTimeSessionWindows,
  Max,
  type WindowOperatorCallOptions,
  type ProcessWindowContext,
  ProcessWindowFunction,
  SlidingEventTimeWindows,
  type TimeWindow,
  TumblingEventTimeWindows,
} from '@sage/kernel';
import type { Bid } from './nexmark.js';

/**
 * The Nexmark queries on the SAGE DataStream API. Each takes the stream of bids (timestamps and watermarks
 * already assigned) and the options of its window operators (`engine`), and returns its results.
 */

export type QueryId = 'q0' | 'q1' | 'q2' | 'q5' | 'q7' | 'q11';

export const WINDOW_SIZE_MS = 10_000;
export const HOP_SLIDE_MS = 2_000;
export const SESSION_GAP_MS = 10_000;
/** Nexmark's q1 rate. */
export const DOLLAR_TO_EURO = 0.908;

export interface EuroBid {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
}

export interface AuctionPrice {
  auction: number;
  price: number;
}

/**
 * A window result with its window's end. q5 and q7 give one per window, q11 one per bidder session (whose end
 * is the last bid's time plus the gap).
 */
export interface WindowValue {
  windowEnd: number;
  value: number;
}

export interface QueryDefinition<R> {
  id: QueryId;
  /** One line for the report. */
  description: string;
  /** Has window operators (so an engine choice applies). */
  windowed: boolean;
  build(bids: DataStream<Bid>, windowOptions: WindowOperatorCallOptions): DataStream<R>;
}

/**
 * Reads each window result's event-time timestamp, its window's `maxTimestamp`, which map functions do not
 * see: a 1 ms window holds the results of one timestamp, and its end is their window's end. It fires on the
 * same watermark as the window that made the results, so it adds no wait.
 */
class AtWindowEnd extends ProcessWindowFunction<number | undefined, WindowValue, undefined, TimeWindow> {
  process(_key: undefined, context: ProcessWindowContext<TimeWindow>, values: readonly (number | undefined)[], out: Collector<WindowValue>): void {
    for (const value of values) out.collect({ windowEnd: context.window.end, value: value! });
  }
}

function withWindowEnds(results: DataStream<number> | DataStream<number | undefined>, query: QueryId): DataStream<WindowValue> {
  return (results as DataStream<number | undefined>).windowAll(TumblingEventTimeWindows.of(1)).process(new AtWindowEnd(), { name: `${query}_window_ends` });
}

const q0: QueryDefinition<Bid> = {
  id: 'q0',
  description: 'pass-through: every bid',
  windowed: false,
  build: (bids) => bids,
};

const q1: QueryDefinition<EuroBid> = {
  id: 'q1',
  description: `map: price in euros (× ${DOLLAR_TO_EURO})`,
  windowed: false,
  build: (bids) => bids.map((bid) => ({ auction: bid.auction, bidder: bid.bidder, price: bid.price * DOLLAR_TO_EURO, dateTime: bid.dateTime })),
};

const q2: QueryDefinition<AuctionPrice> = {
  id: 'q2',
  description: 'filter: bids on auctions with id % 123 == 0',
  windowed: false,
  build: (bids) => bids.filter((bid) => bid.auction % 123 === 0).map((bid) => ({ auction: bid.auction, price: bid.price })),
};

// The windowed queries use built-in aggregates only, so that every engine can run the same query.
const q5: QueryDefinition<WindowValue> = {
  id: 'q5',
  description: 'hot items: bids per auction in hopping 10 s / 2 s windows (Count), then the most bids on one auction per window (Max)',
  windowed: true,
  build: (bids, windowOptions) => {
    const counts = bids
      .keyBy((bid) => bid.auction)
      .window(SlidingEventTimeWindows.of(WINDOW_SIZE_MS, HOP_SLIDE_MS))
      .aggregate(Count, { ...windowOptions, name: 'q5_bids_per_auction' });
    // A hopping window's counts carry its maxTimestamp, so they all fall into one slide-sized window.
    const hottest = counts.windowAll(TumblingEventTimeWindows.of(HOP_SLIDE_MS)).aggregate(Max.of<number>(), { ...windowOptions, name: 'q5_most_bids' });
    return withWindowEnds(hottest, 'q5');
  },
};

const q7: QueryDefinition<WindowValue> = {
  id: 'q7',
  description: 'highest bid: max price in tumbling 10 s windows (Max)',
  windowed: true,
  build: (bids, windowOptions) =>
    withWindowEnds(bids.windowAll(TumblingEventTimeWindows.of(WINDOW_SIZE_MS)).aggregate(Max.of<Bid>('price'), { ...windowOptions, name: 'q7_max_price' }), 'q7'),
};

const q11: QueryDefinition<WindowValue> = {
  id: 'q11',
  description: 'user sessions: bids per bidder in session windows with a 10 s gap (Count)',
  windowed: true,
  build: (bids, windowOptions) =>
    withWindowEnds(
      bids
        .keyBy((bid) => bid.bidder)
        .window(EventTimeSessionWindows.withGap(SESSION_GAP_MS))
        .aggregate(Count, { ...windowOptions, name: 'q11_session_bids' }),
      'q11',
    ),
};

export const QUERIES: readonly QueryDefinition<any>[] = [q0, q1, q2, q5, q7, q11];
export const QUERY_IDS: readonly QueryId[] = QUERIES.map((query) => query.id);
