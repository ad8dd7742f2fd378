import {
  type AggregateFunction,
  type Collector,
  Count,
  type DataStream,
  EventTimeSessionWindows,
  Max,
  type OperatorOptions,
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

/** q5: per hopping window, the auctions with the most bids. */
export interface HotItems {
  windowEnd: number;
  count: number;
  /** Ascending. */
  auctions: number[];
}

export interface HighestPrice {
  windowEnd: number;
  price: number;
}

export interface BidderSession {
  bidder: number;
  start: number;
  end: number;
  count: number;
}

/** A window result's window end, so the next stage and the latency measurement can tell windows apart. */
interface Windowed {
  windowEnd: number;
}

export interface QueryDefinition<R> {
  id: QueryId;
  /** One line for the report. */
  description: string;
  /** Has window operators (so an engine choice applies). */
  windowed: boolean;
  build(bids: DataStream<Bid>, windowOptions: OperatorOptions): DataStream<R>;
}

class AuctionCount extends ProcessWindowFunction<number, { auction: number; count: number } & Windowed, number, TimeWindow> {
  process(auction: number, context: ProcessWindowContext<TimeWindow>, counts: readonly number[], out: Collector<{ auction: number; count: number } & Windowed>): void {
    out.collect({ auction, count: counts[0]!, windowEnd: context.window.end });
  }
}

/** The auctions with the highest count among one window's counts. */
const HotAuctions: AggregateFunction<{ auction: number; count: number } & Windowed, HotItems, HotItems> = {
  createAccumulator: () => ({ windowEnd: 0, count: 0, auctions: [] }),
  add: (value, hot) => {
    if (value.count > hot.count) return { windowEnd: value.windowEnd, count: value.count, auctions: [value.auction] };
    if (value.count === hot.count) hot.auctions.push(value.auction);
    return hot;
  },
  getResult: (hot) => ({ ...hot, auctions: [...hot.auctions].sort((a, b) => a - b) }),
  merge: (a, b) => (a.count === b.count ? { ...a, auctions: [...a.auctions, ...b.auctions] } : a.count > b.count ? a : b),
};

class WindowMaxPrice extends ProcessWindowFunction<number | undefined, HighestPrice, undefined, TimeWindow> {
  process(_key: undefined, context: ProcessWindowContext<TimeWindow>, prices: readonly (number | undefined)[], out: Collector<HighestPrice>): void {
    out.collect({ windowEnd: context.window.end, price: prices[0]! });
  }
}

class SessionCount extends ProcessWindowFunction<number, BidderSession, number, TimeWindow> {
  process(bidder: number, context: ProcessWindowContext<TimeWindow>, counts: readonly number[], out: Collector<BidderSession>): void {
    out.collect({ bidder, start: context.window.start, end: context.window.end, count: counts[0]! });
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

const q5: QueryDefinition<HotItems> = {
  id: 'q5',
  description: 'hot items: bids per auction in hopping 10 s / 2 s windows, then the auctions with the most per window',
  windowed: true,
  build: (bids, windowOptions) =>
    bids
      .keyBy((bid) => bid.auction)
      .window(SlidingEventTimeWindows.of(WINDOW_SIZE_MS, HOP_SLIDE_MS))
      .aggregate(Count, new AuctionCount(), { ...windowOptions, name: 'q5_bids_per_auction' })
      // A hopping window's results carry its maxTimestamp, so they all fall into one slide-sized window.
      .keyBy((count) => count.windowEnd)
      .window(TumblingEventTimeWindows.of(HOP_SLIDE_MS))
      .aggregate(HotAuctions, { ...windowOptions, name: 'q5_hot_items' }),
};

const q7: QueryDefinition<HighestPrice> = {
  id: 'q7',
  description: 'highest bid: max price in tumbling 10 s windows',
  windowed: true,
  build: (bids, windowOptions) =>
    bids
      .windowAll(TumblingEventTimeWindows.of(WINDOW_SIZE_MS))
      .aggregate(Max.of<Bid>('price'), new WindowMaxPrice(), { ...windowOptions, name: 'q7_max_price' }),
};

const q11: QueryDefinition<BidderSession> = {
  id: 'q11',
  description: 'user sessions: bids per bidder in session windows with a 10 s gap',
  windowed: true,
  build: (bids, windowOptions) =>
    bids
      .keyBy((bid) => bid.bidder)
      .window(EventTimeSessionWindows.withGap(SESSION_GAP_MS))
      .aggregate(Count, new SessionCount(), { ...windowOptions, name: 'q11_sessions' }),
};

export const QUERIES: readonly QueryDefinition<any>[] = [q0, q1, q2, q5, q7, q11];
export const QUERY_IDS: readonly QueryId[] = QUERIES.map((query) => query.id);
