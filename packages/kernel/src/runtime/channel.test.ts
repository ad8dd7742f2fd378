import { describe, expect, it } from 'vitest';
import { Channel, DATA, type DataMessage, END } from './channel.js';

const data = (n: number): DataMessage => ({ kind: DATA, edge: 0, records: [n] });

describe('Channel', () => {
  it('delivers messages in order and makes producers wait when full', async () => {
    const channel = new Channel(2);
    expect(channel.put(data(1))).toBeUndefined();
    expect(channel.put(data(2))).toBeUndefined();
    let accepted = false;
    const waiting = channel.put(data(3));
    expect(waiting).toBeInstanceOf(Promise);
    void (waiting as Promise<void>).then(() => (accepted = true));
    // End-of-partition never waits, even on a full channel.
    expect(channel.put({ kind: END, edge: 0 })).toBeUndefined();
    await Promise.resolve();
    expect(accepted).toBe(false);
    expect(channel.poll()).toEqual(data(1));
    await waiting;
    expect(accepted).toBe(true);
    expect([channel.poll(), channel.poll(), channel.poll()]).toEqual([data(2), { kind: END, edge: 0 }, data(3)]);
  });

  it('take() waits for the next message', async () => {
    const channel = new Channel(4);
    const next = channel.take();
    channel.put(data(9));
    expect(await next).toEqual(data(9));
  });

  it('abort() wakes a waiting consumer and producer with the reason', async () => {
    const channel = new Channel(1);
    const taking = channel.take();
    channel.abort(new Error('torn down'));
    await expect(taking).rejects.toThrow('torn down');
    const full = new Channel(1);
    full.put(data(1));
    const putting = full.put(data(2));
    full.abort(new Error('gone'));
    await expect(putting).rejects.toThrow('gone');
    expect(() => full.put(data(3))).toThrow('gone');
  });
});
