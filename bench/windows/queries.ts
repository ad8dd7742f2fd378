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

/** A window result with its window's end: q5 and q7 give one per window. */
export interface WindowValue {
  windowEnd: number;
  value: number;
}

/** Nexmark q11's result: one bidder session, `[windowStart, windowEnd)` (the last bid's time plus the gap), and its bids. */
export interface BidderSession {
  bidder: number;
  count: number;
  windowStart: number;
  windowEnd: number;
}

export interface QueryDefinition<R> {
  id: QueryId;
  /** One line for the report. */
  description: string;
  /** Has window operators (so an engine choice applies). */
  windowed: boolean;
  /** For queries with one result per window: event time between two results, in ms. */
  resultEveryMs?: number;
  build(bids: DataStream<Bid>, windowOptions: WindowOperatorCallOptions): DataStream<R>;
}

/** After a built-in aggregate: the result with its window's end (runs on either engine, once per fired window). */
class AtWindowEnd extends ProcessWindowFunction<number | undefined, WindowValue, unknown, TimeWindow> {
  process(_key: unknown, context: ProcessWindowContext<TimeWindow>, results: readonly (number | undefined)[], out: Collector<WindowValue>): void {
    out.collect({ windowEnd: context.window.end, value: results[0]! });
  }
}

/** After `Count` on a bidder's session window: Nexmark q11's row. */
class BidderSessionRow extends ProcessWindowFunction<number, BidderSession, number, TimeWindow> {
  process(bidder: number, context: ProcessWindowContext<TimeWindow>, counts: readonly number[], out: Collector<BidderSession>): void {
    out.collect({ bidder, count: counts[0]!, windowStart: context.window.start, windowEnd: context.window.end });
  }
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
  resultEveryMs: HOP_SLIDE_MS,
  build: (bids, windowOptions) => {
    const counts = bids
      .keyBy((bid) => bid.auction)
      .window(SlidingEventTimeWindows.of(WINDOW_SIZE_MS, HOP_SLIDE_MS))
      .aggregate(Count, { ...windowOptions, name: 'q5_bids_per_auction' });
    // A hopping window's counts carry its maxTimestamp, so they all fall into one slide-sized window, which
    // ends where the hopping window does.
    return counts.windowAll(TumblingEventTimeWindows.of(HOP_SLIDE_MS)).aggregate(Max.of<number>(), new AtWindowEnd(), { ...windowOptions, name: 'q5_most_bids' });
  },
};

const q7: QueryDefinition<WindowValue> = {
  id: 'q7',
  description: 'highest bid: max price in tumbling 10 s windows (Max)',
  windowed: true,
  resultEveryMs: WINDOW_SIZE_MS,
  build: (bids, windowOptions) =>
    bids.windowAll(TumblingEventTimeWindows.of(WINDOW_SIZE_MS)).aggregate(Max.of<Bid>('price'), new AtWindowEnd(), { ...windowOptions, name: 'q7_max_price' }),
};

const q11: QueryDefinition<BidderSession> = {
  id: 'q11',
  description: 'user sessions: bids per bidder in session windows with a 10 s gap (Count), with the bidder and the session',
  windowed: true,
  build: (bids, windowOptions) =>
    bids
      .keyBy((bid) => bid.bidder)
      .window(EventTimeSessionWindows.withGap(SESSION_GAP_MS))
      .aggregate(Count, new BidderSessionRow(), { ...windowOptions, name: 'q11_session_bids' }),
};

export const QUERIES: readonly QueryDefinition<any>[] = [q0, q1, q2, q5, q7, q11];
export const QUERY_IDS: readonly QueryId[] = QUERIES.map((query) => query.id);
