import { LocalEnvironment, type SinkFunction } from '@sage/kernel';
import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it, vi } from 'vitest';
import { DEADLINE_MS, probed, withDeadline } from '../../__fixtures__/operator-probe.js';
import { quiet } from './temp-directory.js';

type Config = Record<string, unknown>;

/** Record number `i` of the checklist: an id for PostgresSink, `seq` for the order, and some text to write. */
export interface ChecklistRecord {
  id: string;
  seq: number;
  text: string;
}

export function checklistRecord(seq: number): ChecklistRecord {
  return { id: `rec-${String(seq).padStart(6, '0')}`, seq, text: `record ${seq} ${'x'.repeat(120)}` };
}

export function checklistRecords(count: number, from = 0): ChecklistRecord[] {
  return Array.from({ length: count }, (_, index) => checklistRecord(from + index));
}

/** A sink and where it writes, for `describeSinkChecklist`. */
export interface SinkCase<Target> {
  name: string;
  fn: new (config?: any) => SinkFunction<any>;
  /** A fresh place for one test to write to: a file, a captured stdout, a table. */
  target: () => Target | Promise<Target>;
  config: (target: Target) => Config;
  /** The records the target holds, in the order written; fails when the target is incomplete (a partial line). */
  read: (target: Target) => Promise<unknown[]>;
  /** Checks the target after a job without records: the sink's documented result. */
  expectEmpty: (target: Target) => Promise<void>;
  /** Checks that the closed sink holds nothing any more: no file handle, stdout listener or connection. */
  expectReleased: (target: Target) => Promise<void>;
  /** Places the sink cannot write to, and a check of the error the job fails with. */
  cannotWrite: Array<{
    what: string;
    /** Default: `target`. */
    target?: () => Target | Promise<Target>;
    config: (target: Target) => Config;
    check: (error: unknown, target: Target) => void | Promise<void>;
    /** The config is refused when the sink is constructed: there is no instance to close. */
    inConstructor?: boolean;
  }>;
  /** Configs whose user function throws on the record with `seq` 3, and the error the job fails with. */
  throwing?: Array<{ what: string; config: (target: Target) => Config; error: RegExp }>;
  /** A second job on the target of a failed one must work (PostgresSink: the same table). */
  reusable?: boolean;
}

/** The record the upstream operator fails on in the upstream-error step, after the sink took all before it. */
const FAILING_SEQ = 5;

/**
 * The operator checklist of STYLE.md section 6 for a sink, on the real local runtime: empty input, one
 * record, many, an error from upstream, a never-ending source stopped early, a place it cannot write to,
 * and a user function that throws (for the sinks that take one). The sink runs as a thin subclass counting
 * its `close()` calls and the records it took; after every job it must be closed exactly once and hold
 * nothing (`expectReleased`), and the target must hold exactly the records the sink took, complete.
 */
export function describeSinkChecklist<Target>(op: SinkCase<Target>): void {
  describe(`${op.name}: the operator checklist`, () => {
    async function run(count: number): Promise<{ target: Target; closes: number }> {
      const target = await op.target();
      const probe = probed(op.fn);
      const { result } = await withDeadline(
        runOperator('sink', probe.fn, { records: checklistRecords(count), config: op.config(target), options: { name: op.name }, environment: quiet }),
        'job',
      );
      expect(result.status).toBe('finished');
      return { target, closes: probe.closes() };
    }

    it('empty input: the job finishes, the sink closes, and the target is as documented', async () => {
      const { target, closes } = await run(0);
      expect(closes).toBe(1);
      await op.expectEmpty(target);
      await op.expectReleased(target);
    });

    it('one record: it is written and the sink closes', async () => {
      const { target, closes } = await run(1);
      expect(closes).toBe(1);
      expect(await op.read(target)).toEqual(checklistRecords(1));
      await op.expectReleased(target);
    });

    it('many records: all are written, in order', async () => {
      const { target } = await run(300);
      expect(await op.read(target)).toEqual(checklistRecords(300));
      await op.expectReleased(target);
    });

    it('an error from upstream fails the job naming the upstream operator; the sink closes and what it took stays written', async () => {
      const target = await op.target();
      const probe = probed(op.fn);
      // One record per batch, so the sink takes the records before the failing one first.
      const env = new LocalEnvironment('sink-checklist-upstream', { ...quiet, batchSize: 1 });
      env
        .fromBatch(checklistRecords(10))
        .map(
          async (record) => {
            if (record.seq === FAILING_SEQ) {
              await vi.waitFor(() => expect(probe.executed()).toBe(FAILING_SEQ), { timeout: DEADLINE_MS, interval: 5 });
              throw new Error('upstream broke');
            }
            return record;
          },
          { name: 'flaky_upstream' },
        )
        .sink(probe.fn, op.config(target), { name: op.name });
      await expect(withDeadline(env.submit({ autostop: true }), 'failing job')).rejects.toThrow(/operator "flaky_upstream" failed.*upstream broke/);
      expect(probe.closes()).toBe(1);
      expect(await op.read(target)).toEqual(checklistRecords(FAILING_SEQ));
      await op.expectReleased(target);
      if (op.reusable) {
        const again = await withDeadline(
          runOperator('sink', op.fn, { records: checklistRecords(3, FAILING_SEQ), config: op.config(target), environment: quiet }),
          'second job',
        );
        expect(again.result.status).toBe('finished');
        expect(await op.read(target)).toEqual(checklistRecords(FAILING_SEQ + 3));
        await op.expectReleased(target);
      }
    });

    it('a never-ending source stops when asked: the sink closes and every record it took is written, complete', async () => {
      const target = await op.target();
      const probe = probed(op.fn);
      // Small batches and channels: little is in flight to drain when the source is stopped.
      const env = new LocalEnvironment('sink-checklist-endless', { ...quiet, batchSize: 4, channelCapacity: 2 });
      let pulled = 0;
      env.fromSource(() => checklistRecord(pulled++)).sink(probe.fn, op.config(target), { name: op.name });
      await withDeadline(env.submit(), 'submit');
      await vi.waitFor(() => expect(probe.executed()).toBeGreaterThanOrEqual(50), { timeout: DEADLINE_MS, interval: 5 });
      const result = await withDeadline(env.stop(), 'stop');
      expect(result?.status).toBe('stopped');
      expect(probe.closes()).toBe(1);
      const taken = probe.executed();
      const pulledAtStop = pulled;
      expect(await op.read(target)).toEqual(checklistRecords(taken));
      await op.expectReleased(target);
      // Nothing runs after the stop: the source is not called, the sink takes nothing.
      expect(pulled).toBe(pulledAtStop);
      expect(probe.executed()).toBe(taken);
    });

    for (const place of op.cannotWrite) {
      it(`a place it cannot write to (${place.what}) fails the job with a clear typed error, and the sink closes`, async () => {
        const target = await (place.target ?? op.target)();
        const probe = probed(op.fn);
        const job = runOperator('sink', probe.fn, { records: checklistRecords(10), config: place.config(target), options: { name: op.name }, environment: quiet });
        const error = await withDeadline(job, 'failing job').then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, 'the job fails').toBeDefined();
        await place.check(error, target);
        // The kernel closes a function also after its open() failed: exactly once, holding nothing.
        expect(probe.closes()).toBe(place.inConstructor ? 0 : 1);
        await op.expectReleased(target);
      });
    }

    for (const { what, config, error } of op.throwing ?? []) {
      it(`a throwing user function (${what}) fails the job with its error; the sink closes and the records before stay written`, async () => {
        const target = await op.target();
        const probe = probed(op.fn);
        const job = runOperator('sink', probe.fn, { records: checklistRecords(10), config: config(target), options: { name: op.name }, environment: quiet });
        await expect(withDeadline(job, 'failing job')).rejects.toThrow(error);
        expect(probe.closes()).toBe(1);
        expect(await op.read(target)).toEqual(checklistRecords(3));
        await op.expectReleased(target);
      });
    }
  });
}

/** A user function that throws on the record with `seq` 3 and renders the others as JSON. */
export function throwingOnThird(what: string): (record: ChecklistRecord) => string {
  return (record) => {
    if (record.seq === 3) throw new Error(`${what} boom`);
    return JSON.stringify(record);
  };
}
