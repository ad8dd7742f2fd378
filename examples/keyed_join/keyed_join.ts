/**
 * Keyed join: users and orders, both keyed by user id, meet in one BaseJoinFunction. `execute(payload,
 * key, tag)` sees records of both streams (`tag` 0 for users, 1 for orders) on the instance that owns the
 * key, and keyed state remembers what arrived first: a user's name, or orders waiting for their user.
 * Which stream's records arrive first depends on timing; the result does not. User 4 never shows up, so
 * the kite order waits forever and is not printed.
 *
 * Run: pnpm exec tsx examples/keyed_join/keyed_join.ts
 */
import { BaseJoinFunction, LocalEnvironment } from '@sage/kernel';

interface User {
  userId: number;
  name: string;
}

interface Order {
  userId: number;
  item: string;
  price: number;
}

class UserOrders extends BaseJoinFunction<string, number> {
  execute(payload: User | Order, _userId: number, tag: number): string[] {
    const name = this.ctx.state.value<string>('name');
    const waiting = this.ctx.state.list<Order>('waiting orders');
    if (tag === 0) {
      name.set((payload as User).name);
      const ready = waiting.get().map((order) => describe(name.get()!, order));
      waiting.clear();
      return ready;
    }
    const order = payload as Order;
    if (name.get() === undefined) {
      waiting.add(order);
      return [];
    }
    return [describe(name.get()!, order)];
  }
}

function describe(name: string, order: Order): string {
  return `${name} ordered ${order.item} for $${order.price.toFixed(2)}`;
}

const env = new LocalEnvironment('keyed_join');
const users = env.fromBatch<User>([
  { userId: 1, name: 'alice' },
  { userId: 2, name: 'bob' },
  { userId: 3, name: 'carol' },
]);
const orders = env.fromBatch<Order>([
  { userId: 2, item: 'a lamp', price: 25 },
  { userId: 1, item: 'a book', price: 12.5 },
  { userId: 2, item: 'a rug', price: 80 },
  { userId: 4, item: 'a kite', price: 9 },
]);
users
  .keyBy((user) => user.userId)
  .connect(orders.keyBy((order) => order.userId))
  .join(UserOrders)
  .print();
await env.submit({ autostop: true });
