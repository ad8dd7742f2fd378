import type { WindowEngineChoice } from '@sage/kernel';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATOR, generateEvents, isBid, streamEvents } from './nexmark.js';
import { QUERIES } from './queries.js';
import { referenceResults, ResultDigest, verifyResults } from './reference.js';
import { collectResults } from './run-query.js';

// 100 events per second of event time: 6,000 events span a minute, enough for many windows of every kind.
const config = { ...DEFAULT_GENERATOR, eventsPerSecond: 100 };
const events = generateEvents(6_000, config);

describe('Nexmark generator', () => {
  it('makes 1 person, 3 auctions and 46 bids in every 50 events', () => {
    const kinds = events.slice(0, 50).map((event) => event.type);
    expect(kinds.filter((kind) => kind === 'person')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'auction')).toHaveLength(3);
    expect(kinds.filter((kind) => kind === 'bid')).toHaveLength(46);
    expect(events.filter(isBid)).toHaveLength(6_000 * (46 / 50));
  });

  it('is the same for the same seed and different for another', () => {
    expect(generateEvents(500, config)).toEqual(events.slice(0, 500));
    expect(generateEvents(500, { ...config, seed: 7 })).not.toEqual(events.slice(0, 500));
  });

  it('keeps every event within the 4 s bound behind the newest one', () => {
    let newest = Number.NEGATIVE_INFINITY;
    let mostBehind = 0;
    for (const event of events) {
      newest = Math.max(newest, event.dateTime);
      mostBehind = Math.max(mostBehind, newest - event.dateTime);
    }
    expect(mostBehind).toBeGreaterThan(3_000);
    expect(mostBehind).toBeLessThan(config.maxDelayMs);
  });
});

describe.each<WindowEngineChoice>(['typescript', 'native'])('Nexmark queries on SAGE, %s window engine', (engine) => {
  for (const query of QUERIES) {
    // Batches of 64: watermarks advance and windows fire all along the run, not only at its end.
    it(`${query.id} gives the reference's results`, async () => {
      const results = await collectResults(query, events, { engine }, { batchSize: 64 });
      const expected = referenceResults(query.id, events);
      expect(results.length).toBeGreaterThan(5);
      verifyResults(query.id, results, expected);
    });
  }

});

describe('the reference check', () => {
  it('a wrong result does not pass', () => {
    const expected = referenceResults('q7', events) as Array<{ windowEnd: number; value: number }>;
    const wrong = expected.map((result, i) => (i === 2 ? { ...result, value: result.value - 1 } : result));
    expect(() => verifyResults('q7', wrong, expected)).toThrow(/q7: NOT VERIFIED/);
    expect(() => verifyResults('q7', expected.slice(1), expected)).toThrow(/results, the reference has/);
  });

  it('the digest of a latency run takes the results in any order, and no other results', () => {
    const expected = referenceResults('q11', events) as Array<{ bidder: number; count: number }>;
    const digest = ResultDigest.of(expected);
    expect(() => ResultDigest.of([...expected].reverse()).verify('q11', digest)).not.toThrow();
    const wrong = expected.map((result, i) => (i === 3 ? { ...result, count: result.count + 1 } : result));
    expect(() => ResultDigest.of(wrong).verify('q11', digest)).toThrow(/q11: NOT VERIFIED: .* digests differ/);
    expect(() => ResultDigest.of(expected.slice(1)).verify('q11', digest)).toThrow(/results, the reference has/);
  });
});

describe('streamed events', () => {
  it('are the generated events, made one at a time', () => {
    expect([...streamEvents(2_000, config)]).toEqual(events.slice(0, 2_000));
    expect(referenceResults('q5', streamEvents(6_000, config))).toEqual(referenceResults('q5', events));
  });
});
