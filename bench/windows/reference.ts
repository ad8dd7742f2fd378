import { hashString } from '@sage/common';
import { type Bid, isBid, type NexmarkEvent } from './nexmark.js';
import { type AuctionPrice, type BidderSession, DOLLAR_TO_EURO, type EuroBid, HOP_SLIDE_MS, type QueryId, SESSION_GAP_MS, WINDOW_SIZE_MS, type WindowValue } from './queries.js';

/**
 * Each query computed the plain way, with loops and maps over the whole input at once: no engine, no
 * watermarks. The input's disorder stays within the watermark bound, so nothing is late and every window
 * holds all of its bids; the engine's results must equal these.
 */
export function referenceResults(query: QueryId, events: Iterable<NexmarkEvent>): unknown[] {
  const bids = onlyBids(events);
  switch (query) {
    case 'q0':
      return [...bids];
    case 'q1':
      return [...bids].map((bid): EuroBid => ({ auction: bid.auction, bidder: bid.bidder, price: bid.price * DOLLAR_TO_EURO, dateTime: bid.dateTime }));
    case 'q2':
      return [...bids].filter((bid) => bid.auction % 123 === 0).map((bid): AuctionPrice => ({ auction: bid.auction, price: bid.price }));
    case 'q5':
      return hotItems(bids);
    case 'q7':
      return highestPrices(bids);
    case 'q11':
      return bidderSessions(bids);
  }
}

/** The bids, one at a time: the events may be made as they are iterated. */
function* onlyBids(events: Iterable<NexmarkEvent>): Generator<Bid> {
  for (const event of events) if (isBid(event)) yield event;
}

/** Start of the window of `size` (aligned to the epoch) that holds `timestamp`. */
function windowStart(timestamp: number, size: number): number {
  return timestamp - (((timestamp % size) + size) % size);
}

/** The most bids on one auction in each hopping window. */
function hotItems(bids: Iterable<Bid>): WindowValue[] {
  const counts = new Map<number, Map<number, number>>();
  for (const bid of bids) {
    for (let start = windowStart(bid.dateTime, HOP_SLIDE_MS); start > bid.dateTime - WINDOW_SIZE_MS; start -= HOP_SLIDE_MS) {
      const end = start + WINDOW_SIZE_MS;
      let perAuction = counts.get(end);
      if (perAuction === undefined) counts.set(end, (perAuction = new Map()));
      perAuction.set(bid.auction, (perAuction.get(bid.auction) ?? 0) + 1);
    }
  }
  return [...counts].map(([windowEnd, perAuction]) => ({ windowEnd, value: Math.max(...perAuction.values()) }));
}

function highestPrices(bids: Iterable<Bid>): WindowValue[] {
  const highest = new Map<number, number>();
  for (const bid of bids) {
    const end = windowStart(bid.dateTime, WINDOW_SIZE_MS) + WINDOW_SIZE_MS;
    highest.set(end, Math.max(highest.get(end) ?? bid.price, bid.price));
  }
  return [...highest].map(([windowEnd, value]) => ({ windowEnd, value }));
}

/**
 * Bids per bidder session. A session is `[first, last + gap)`; the bidder's next bid opens a new one when it
 * falls after that end.
 */
function bidderSessions(bids: Iterable<Bid>): BidderSession[] {
  const times = new Map<number, number[]>();
  for (const bid of bids) {
    let list = times.get(bid.bidder);
    if (list === undefined) times.set(bid.bidder, (list = []));
    list.push(bid.dateTime);
  }
  const sessions: BidderSession[] = [];
  for (const [bidder, list] of times) {
    list.sort((a, b) => a - b);
    let session: BidderSession | undefined;
    for (const time of list) {
      if (session !== undefined && time <= session.windowEnd) {
        session.windowEnd = Math.max(session.windowEnd, time + SESSION_GAP_MS);
        session.count++;
      } else {
        if (session !== undefined) sessions.push(session);
        session = { bidder, count: 1, windowStart: time, windowEnd: time + SESSION_GAP_MS };
      }
    }
    if (session !== undefined) sessions.push(session);
  }
  return sessions;
}

/**
 * Compares an engine's results with the reference as multisets (window results of one watermark may come in
 * any key order) and throws, naming the query and the first difference, when they differ.
 */
export function verifyResults(label: string, actual: readonly unknown[], expected: readonly unknown[]): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: NOT VERIFIED: ${actual.length} results, the reference has ${expected.length}`);
  }
  const canonical = (results: readonly unknown[]) => results.map((result) => JSON.stringify(result)).sort();
  const got = canonical(actual);
  const want = canonical(expected);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new Error(`${label}: NOT VERIFIED: result ${got[i]} where the reference has ${want[i]}`);
  }
}

/**
 * An order-independent digest of a multiset of results: their count and two sums of 32-bit hashes of their
 * JSON. A long latency run adds each result as its sink receives it instead of keeping them all on the heap
 * (where they would be collected again and again, on the run's clock).
 */
export class ResultDigest {
  count = 0;
  private sumA = 0;
  private sumB = 0;

  add(result: unknown): void {
    const json = JSON.stringify(result);
    this.count++;
    this.sumA = (this.sumA + hashString(json)) >>> 0;
    this.sumB = (this.sumB + hashString(`${json}#`)) >>> 0;
  }

  static of(results: Iterable<unknown>): ResultDigest {
    const digest = new ResultDigest();
    for (const result of results) digest.add(result);
    return digest;
  }

  /** Throws, naming the run, when `expected` is another multiset. */
  verify(label: string, expected: ResultDigest): void {
    if (this.count !== expected.count) throw new Error(`${label}: NOT VERIFIED: ${this.count} results, the reference has ${expected.count}`);
    if (this.sumA !== expected.sumA || this.sumB !== expected.sumB) {
      throw new Error(`${label}: NOT VERIFIED: ${this.count} results as the reference, but not the same ones (their digests differ)`);
    }
  }
}
