import { describe, expect, it } from 'vitest';
import { Channel, type ChannelMessage, DATA, WATERMARK, WATERMARK_STATUS } from './channel.js';
import { Output } from './output.js';

function drain(channel: Channel): ChannelMessage[] {
  const messages: ChannelMessage[] = [];
  for (let message = channel.poll(); message !== undefined; message = channel.poll()) messages.push(message);
  return messages;
}

describe('Output with event time', () => {
  it('sends untimestamped batches exactly as before: no timestamps field', async () => {
    const channel = new Channel(4);
    const output = new Output([{ partitioner: { kind: 'forward' }, targets: [channel], targetEdge: 0, tag: undefined }], 10, 0);
    output.emit('a');
    await output.flush();
    expect(drain(channel)).toEqual([{ kind: DATA, edge: 0, records: ['a'] }]);
  });

  it('keeps timestamps parallel to records across batches, NaN for records emitted without one', async () => {
    const channel = new Channel(8);
    const output = new Output([{ partitioner: { kind: 'forward' }, targets: [channel], targetEdge: 1, tag: undefined }], 2, 0);
    output.emitTimestamped('a', 10);
    output.emit('b');
    output.emitTimestamped('c', 30);
    await output.flush();
    expect(drain(channel)).toEqual([
      { kind: DATA, edge: 1, records: ['a', 'b'], timestamps: [10, Number.NaN] },
      { kind: DATA, edge: 1, records: ['c'], timestamps: [30] },
    ]);
    expect(output.recordsOut).toBe(3);
  });

  it('emits a run of timestamped records in one call as one by one: after untimestamped ones, across batches and partitions', async () => {
    const channel = new Channel(8);
    const output = new Output([{ partitioner: { kind: 'forward' }, targets: [channel], targetEdge: 0, tag: undefined }], 3, 0);
    output.emit('x');
    output.emitTimestampedAll(new Float64Array([1, 2, 3, 4]), new Float64Array([9, 19, 29, 39]), 3);
    await output.flush();
    expect(drain(channel)).toEqual([
      { kind: DATA, edge: 0, records: ['x', 1, 2], timestamps: [Number.NaN, 9, 19] },
      { kind: DATA, edge: 0, records: [3], timestamps: [29] },
    ]);
    expect(output.recordsOut).toBe(4);

    const channels = [new Channel(4), new Channel(4)];
    const keyed = new Output([{ partitioner: { kind: 'hash', keySelector: (record) => record }, targets: channels, targetEdge: 0, tag: undefined }], 10, 0);
    const records = Array.from({ length: 20 }, (_, i) => i % 3);
    keyed.emitTimestampedAll(records, records.map((record, i) => record + 3 * i), 20);
    await keyed.flush();
    const received = channels.flatMap((target) => drain(target)) as Array<{ records: number[]; timestamps: number[] }>;
    expect(received.flatMap((message) => message.records).sort()).toEqual([...records].sort());
    for (const message of received) expect(message.timestamps.map((timestamp) => timestamp % 3)).toEqual(message.records);
    expect(keyed.recordsOut).toBe(20);
  });

  it('sends a watermark after the records before it, to every target instance, even into a full channel', async () => {
    const channels = [new Channel(1), new Channel(1)];
    const output = new Output([{ partitioner: { kind: 'rebalance' }, targets: channels, targetEdge: 0, tag: undefined }], 10, 1);
    output.emitTimestamped('a', 5);
    await output.emitWatermark(4);
    expect(drain(channels[1]!)).toEqual([
      { kind: DATA, edge: 0, records: ['a'], timestamps: [5] },
      { kind: WATERMARK, edge: 0, from: 1, watermark: 4 },
    ]);
    expect(drain(channels[0]!)).toEqual([{ kind: WATERMARK, edge: 0, from: 1, watermark: 4 }]);
  });

  it('hash-partitions timestamped records by key and names the sender as 0 on forward edges', async () => {
    const channels = [new Channel(4), new Channel(4)];
    const keyed = new Output([{ partitioner: { kind: 'hash', keySelector: (record) => record }, targets: channels, targetEdge: 0, tag: undefined }], 10, 0);
    for (let i = 0; i < 20; i++) keyed.emitTimestamped(i % 3, i);
    await keyed.flush();
    const received = channels.flatMap((channel) => drain(channel)) as Array<{ records: number[]; timestamps: number[] }>;
    for (const message of received) expect(message.timestamps.map((timestamp) => timestamp % 3)).toEqual(message.records);
    const forward = new Channel(4);
    await new Output([{ partitioner: { kind: 'forward' }, targets: [forward], targetEdge: 2, tag: undefined }], 10, 3).emitWatermark(7);
    expect(drain(forward)).toEqual([{ kind: WATERMARK, edge: 2, from: 0, watermark: 7 }]);
  });

  it('sends idleness after the buffered records and is quiet only with nothing buffered or waiting', async () => {
    const channel = new Channel(1);
    const output = new Output([{ partitioner: { kind: 'rebalance' }, targets: [channel], targetEdge: 0, tag: undefined }], 10, 2);
    expect(output.quiet).toBe(true);
    output.emitTimestamped('a', 1);
    expect(output.quiet).toBe(false);
    await output.emitWatermarkStatus(true);
    output.emitTimestamped('b', 2);
    const waiting = output.flush();
    expect(output.quiet).toBe(false);
    expect(drain(channel)).toEqual([
      { kind: DATA, edge: 0, records: ['a'], timestamps: [1] },
      { kind: WATERMARK_STATUS, edge: 0, from: 2, idle: true },
      // Taking 'a' made room for the waiting batch.
      { kind: DATA, edge: 0, records: ['b'], timestamps: [2] },
    ]);
    await waiting;
    expect(output.quiet).toBe(true);
  });
});
