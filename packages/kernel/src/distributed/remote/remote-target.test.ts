import type { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { DATA, END, WATERMARK, WATERMARK_STATUS } from '../../runtime/channel.js';
import { RecordNotSerializableError } from './remote-errors.js';
import { RemoteTarget } from './remote-target.js';
import { fromWire } from './wire-value.js';

/** A queue that only records what is added. */
function fakeQueue() {
  const added: Array<{ data: unknown; jobId: string }> = [];
  const queue = { name: 'measure.1', add: async (_name: string, data: unknown, options: { jobId: string }) => added.push({ data, jobId: options.jobId }) };
  return { queue: queue as unknown as Queue, added };
}

describe('RemoteTarget', () => {
  it('adds one job per batch and one per end, with deterministic ids in sequence', async () => {
    const { queue, added } = fakeQueue();
    const target = new RemoteTarget(queue, 'words', 3, 0);
    await target.put({ kind: DATA, edge: 0, records: [{ id: 1 }, 'two', 3, null, [true]] });
    await target.put({ kind: DATA, edge: 0, records: [] });
    await target.put({ kind: END, edge: 0 });
    expect(added).toEqual([
      { data: { edge: 0, from: 3, sequence: 0, records: [{ id: 1 }, 'two', 3, null, [true]] }, jobId: 'b0.3.0' },
      { data: { edge: 0, from: 3, sequence: 1, records: [] }, jobId: 'b0.3.1' },
      { data: { edge: 0, from: 3, sequence: 2, end: true }, jobId: 'b0.3.2' },
    ]);
    expect(target.key).toBe('measure.1#0');
  });

  it('continues from a restored sequence (a partition that moved between workers)', async () => {
    const { queue, added } = fakeQueue();
    const target = new RemoteTarget(queue, 'words', 0, 1);
    target.sequence = 7;
    await target.put({ kind: DATA, edge: 1, records: [1] });
    expect(added[0]!.jobId).toBe('b1.0.7');
    expect(target.sequence).toBe(8);
  });

  it('sends timestamps (null for none), watermarks and idleness in order, each numbered in the same stream', async () => {
    const { queue, added } = fakeQueue();
    const target = new RemoteTarget(queue, 'stamp', 2, 0);
    await target.put({ kind: DATA, edge: 0, records: ['a', 'b'], timestamps: [1_000, Number.NaN] });
    await target.put({ kind: WATERMARK, edge: 0, from: 2, watermark: 999 });
    await target.put({ kind: WATERMARK_STATUS, edge: 0, from: 2, idle: true });
    await target.put({ kind: END, edge: 0 });
    expect(added.map((job) => [job.jobId, job.data])).toEqual([
      ['b0.2.0', { edge: 0, from: 2, sequence: 0, records: ['a', 'b'], timestamps: [1_000, null] }],
      ['b0.2.1', { edge: 0, from: 2, sequence: 1, watermark: 999 }],
      ['b0.2.2', { edge: 0, from: 2, sequence: 2, idle: true }],
      ['b0.2.3', { edge: 0, from: 2, sequence: 3, end: true }],
    ]);
  });

  it.each([
    ['a function', () => 1, /a value of type function is not JSON/],
    ['a Map', new Map(), /a Map is not a plain object/],
    ['a Date inside', { when: new Date(0) }, /a Date is not a plain object/],
    ['NaN', { score: Number.NaN }, /the number NaN is not JSON/],
    ['a bigint', 1n, /a value of type bigint is not JSON/],
    ['undefined', undefined, /a value of type undefined is not JSON/],
  ])('refuses %s, naming the operator', async (_label, record, reason) => {
    const { queue, added } = fakeQueue();
    const put = new RemoteTarget(queue, 'parse', 0, 0).put({ kind: DATA, edge: 0, records: [record] });
    await expect(put).rejects.toThrow(RecordNotSerializableError);
    await expect(new RemoteTarget(queue, 'parse', 0, 0).put({ kind: DATA, edge: 0, records: [record] })).rejects.toThrow(reason);
    await expect(new RemoteTarget(queue, 'parse', 0, 0).put({ kind: DATA, edge: 0, records: [record] })).rejects.toThrow(/operator "parse"/);
    expect(added).toEqual([]);
  });

  it('sends records with typed arrays in their wire form and flags the batch; plain records are sent as they are', async () => {
    const { queue, added } = fakeQueue();
    const target = new RemoteTarget(queue, 'embed', 0, 0);
    const plain = { id: 1, tags: ['a'] };
    const vector = { id: 2, embedding: new Float32Array([0.5, -1.25]), nested: [{ ids: new Int32Array([7]) }] };
    await target.put({ kind: DATA, edge: 0, records: [plain, vector] });
    const data = JSON.parse(JSON.stringify(added[0]!.data)) as { records: unknown[]; typed?: boolean };
    expect(data.typed).toBe(true);
    expect(data.records[0]).toEqual(plain);
    expect(fromWire(data.records[1])).toEqual(vector);
    expect((fromWire(data.records[1]) as typeof vector).embedding).toBeInstanceOf(Float32Array);
    await target.put({ kind: DATA, edge: 0, records: [plain] });
    expect(added[1]!.data).toEqual({ edge: 0, from: 0, sequence: 1, records: [plain] });
    expect((added[1]!.data as { records: unknown[] }).records[0]).toBe(plain);
  });

  it('names where in the record the value is that cannot travel', async () => {
    const { queue } = fakeQueue();
    await expect(new RemoteTarget(queue, 'parse', 0, 0).put({ kind: DATA, edge: 0, records: [{ user: { seen: new Date(0) } }] })).rejects.toThrow(
      'operator "parse" emitted a record that cannot be sent to a worker: a Date is not a plain object (at record.user.seen)',
    );
  });

  it('accepts undefined properties, which JSON leaves out', async () => {
    const { queue, added } = fakeQueue();
    await new RemoteTarget(queue, 'parse', 0, 0).put({ kind: DATA, edge: 0, records: [{ a: 1, b: undefined }] });
    expect(added).toHaveLength(1);
  });
});
