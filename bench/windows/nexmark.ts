import { seededRandom } from '@sage/common';

/**
 * A seeded Nexmark event generator, after the Beam/Flink Nexmark `GeneratorConfig`, `PersonGenerator`,
 * `AuctionGenerator` and `BidGenerator`: in every 50 events 1 person, 3 auctions and 46 bids; bids go to a
 * hot auction half of the time and otherwise to one of the last 100 auctions (plus a lead of 10 not yet
 * created); bidders are a hot person 3 times in 4 and otherwise one of the last 1000 people; prices are
 * `round(10^(6u) * 100)` cents. Event `i` is due at `i / eventsPerSecond` of event time and carries that
 * time minus a uniform delay below `maxDelayMs`, so the stream is out of order by less than `maxDelayMs`
 * and a bounded-out-of-orderness watermark of `maxDelayMs` never sees a late event.
 */

export interface Person {
  type: 'person';
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}

export interface Auction {
  type: 'auction';
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

export interface Bid {
  type: 'bid';
  auction: number;
  bidder: number;
  /** Cents. */
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}

export type NexmarkEvent = Person | Auction | Bid;

export interface GeneratorConfig {
  seed: number;
  /** Events per second of event time; Nexmark's default first-event rate is 10,000. */
  eventsPerSecond: number;
  /** Event time of event 0, in epoch milliseconds. */
  baseTime: number;
  /** Every event is delayed by a whole number of milliseconds below this. */
  maxDelayMs: number;
}

export const DEFAULT_GENERATOR: GeneratorConfig = { seed: 6, eventsPerSecond: 10_000, baseTime: Date.UTC(2026, 0, 1), maxDelayMs: 4_000 };

const PROPORTION_DENOMINATOR = 50;
const PERSON_PROPORTION = 1;
const AUCTION_PROPORTION = 3;
const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const NUM_IN_FLIGHT_AUCTIONS = 100;
const NUM_ACTIVE_PEOPLE = 1000;
const ID_LEAD = 10;
const HOT_AUCTION_RATIO = 2;
const HOT_BIDDER_RATIO = 4;
const HOT_SELLER_RATIO = 4;
/** Hot auctions and bidders are the first of each batch of this many. */
const HOT_BATCH = 100;
const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
/** One url string per channel, shared by its bids. */
const CHANNEL_URLS = new Map(CHANNELS.map((channel) => [channel, `https://www.nexmark.com/${channel.toLowerCase()}/item.htm?query=1`]));
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];

export function generateEvents(count: number, config: GeneratorConfig = DEFAULT_GENERATOR): NexmarkEvent[] {
  const generator = new NexmarkGenerator(config);
  const events: NexmarkEvent[] = new Array(count);
  for (let i = 0; i < count; i++) events[i] = generator.next();
  return events;
}

/** The first `count` events, made one at a time as they are iterated (a long run's events need not all be in memory). */
export function* streamEvents(count: number, config: GeneratorConfig = DEFAULT_GENERATOR): Generator<NexmarkEvent> {
  const generator = new NexmarkGenerator(config);
  for (let i = 0; i < count; i++) yield generator.next();
}

/** Makes the events of one seed in order, one per `next()`: event `i` is the same as `generateEvents(n)[i]`. */
export class NexmarkGenerator {
  private readonly random: () => number;
  private readonly below = (n: number) => Math.floor(this.random() * n);
  private index = 0;

  constructor(private readonly config: GeneratorConfig = DEFAULT_GENERATOR) {
    this.random = seededRandom(config.seed);
  }

  next(): NexmarkEvent {
    const { config, below } = this;
    const i = this.index++;
    const dateTime = config.baseTime + Math.floor((i * 1000) / config.eventsPerSecond) - below(config.maxDelayMs);
    const offset = i % PROPORTION_DENOMINATOR;
    if (offset < PERSON_PROPORTION) {
      const id = FIRST_PERSON_ID + lastPersonId(i);
      const name = `${this.pick(FIRST_NAMES)} ${this.pick(LAST_NAMES)}`;
      const card = () => String(1000 + below(9000));
      const creditCard = `${card()} ${card()} ${card()} ${card()}`;
      return { type: 'person', id, name, emailAddress: `${name.replace(' ', '.')}@example.com`, creditCard, city: this.pick(CITIES), state: this.pick(STATES), dateTime, extra: '' };
    }
    if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) {
      const seller = FIRST_PERSON_ID + (below(HOT_SELLER_RATIO) > 0 ? Math.floor(lastPersonId(i) / HOT_BATCH) * HOT_BATCH : activePerson(i, below));
      const initialBid = this.price();
      const id = FIRST_AUCTION_ID + lastAuctionId(i);
      return {
        type: 'auction',
        id,
        itemName: `item-${id}`,
        description: `auction ${id}`,
        initialBid,
        reserve: initialBid + this.price(),
        dateTime,
        expires: dateTime + 1 + below(20_000),
        seller,
        category: FIRST_CATEGORY_ID + below(NUM_CATEGORIES),
        extra: '',
      };
    }
    const auction = below(HOT_AUCTION_RATIO) > 0 ? Math.floor(lastAuctionId(i) / HOT_BATCH) * HOT_BATCH : inFlightAuction(i, below);
    // The second person of a batch, so that hot bidders and hot sellers differ.
    const bidder = below(HOT_BIDDER_RATIO) > 0 ? Math.floor(lastPersonId(i) / HOT_BATCH) * HOT_BATCH + 1 : activePerson(i, below);
    const channel = this.pick(CHANNELS);
    return {
      type: 'bid',
      auction: FIRST_AUCTION_ID + auction,
      bidder: FIRST_PERSON_ID + bidder,
      price: this.price(),
      channel,
      url: CHANNEL_URLS.get(channel)!,
      dateTime,
      extra: '',
    };
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  private price(): number {
    return Math.round(10 ** (this.random() * 6) * 100);
  }
}

/** The 0-based id of the last person created at or before event `i`. */
function lastPersonId(i: number): number {
  return Math.floor(i / PROPORTION_DENOMINATOR);
}

/** The 0-based id of the last auction created before event `i` (or of the one it creates). */
function lastAuctionId(i: number): number {
  const epoch = Math.floor(i / PROPORTION_DENOMINATOR);
  const offset = i % PROPORTION_DENOMINATOR;
  if (offset < PERSON_PROPORTION) return (epoch - 1) * AUCTION_PROPORTION + AUCTION_PROPORTION - 1;
  if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) return epoch * AUCTION_PROPORTION + AUCTION_PROPORTION - 1;
  return epoch * AUCTION_PROPORTION + offset - PERSON_PROPORTION;
}

function inFlightAuction(i: number, below: (n: number) => number): number {
  const last = lastAuctionId(i);
  const first = Math.max(last - NUM_IN_FLIGHT_AUCTIONS, 0);
  return first + below(last - first + 1 + ID_LEAD);
}

function activePerson(i: number, below: (n: number) => number): number {
  const people = lastPersonId(i) + 1;
  const active = Math.min(people, NUM_ACTIVE_PEOPLE);
  return people - active + below(active + ID_LEAD);
}

export function isBid(event: NexmarkEvent): event is Bid {
  return event.type === 'bid';
}
