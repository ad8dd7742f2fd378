/**
 * flatMap: one record in, any number out. A FlatMapFunction class can call `this.collect(x)` for each
 * record it makes; a plain function can return an iterable (an array or a generator). Zero records out is
 * fine too: the empty order below disappears.
 *
 * Run: pnpm exec tsx examples/flatmap/flatmap.ts
 */
import { FlatMapFunction, LocalEnvironment } from '@sage/kernel';
import { TerminalSink } from '@sage/libs';

interface Order {
  id: string;
  items: string[];
}

interface OrderLine {
  orderId: string;
  item: string;
  quantity: number;
}

/** Splits an order into one line per item ("2x apple" is two apples), with `collect`. */
class SplitOrder extends FlatMapFunction<Order, OrderLine> {
  execute(order: Order): void {
    for (const entry of order.items) {
      const [, quantity, item] = /^(?:(\d+)x )?(.+)$/.exec(entry)!;
      this.collect({ orderId: order.id, item: item!, quantity: Number(quantity ?? 1) });
    }
  }
}

/** Expands a line into one record per unit, from a generator. */
function* unitsOf(line: OrderLine): Generator<string> {
  for (let unit = 1; unit <= line.quantity; unit++) yield `${line.orderId} ${line.item} ${unit}/${line.quantity}`;
}

const orders: Order[] = [
  { id: 'order-1', items: ['2x apple', 'bread'] },
  { id: 'order-2', items: [] },
  { id: 'order-3', items: ['3x pear'] },
];

const env = new LocalEnvironment('flatmap');
env.fromBatch(orders).flatMap(SplitOrder).flatMap(unitsOf).sink(TerminalSink);
await env.submit({ autostop: true });
