/**
 * coMap: one operator reading two streams, with a method per stream. `connect` joins a stream of sensor
 * readings and a stream of alarms; the BaseCoMapFunction's `map0` handles the first, `map1` the second, and
 * both share the instance's fields (here the last temperature seen). Records of each stream stay in order;
 * how the two interleave depends on timing.
 *
 * Run: pnpm exec tsx examples/comap/comap.ts
 */
import { BaseCoMapFunction, LocalEnvironment } from '@sage/kernel';

interface Reading {
  room: string;
  celsius: number;
}

interface Alarm {
  room: string;
  kind: 'smoke' | 'door';
}

class Monitor extends BaseCoMapFunction<string> {
  private readonly lastCelsius = new Map<string, number>();

  map0(reading: Reading): string {
    this.lastCelsius.set(reading.room, reading.celsius);
    return `reading: ${reading.room} is at ${reading.celsius}°C`;
  }

  map1(alarm: Alarm): string {
    return `alarm: ${alarm.kind} in ${alarm.room}`;
  }

  override close(): void {
    const rooms = [...this.lastCelsius].map(([room, celsius]) => `${room} ${celsius}°C`);
    console.log(`last readings: ${rooms.join(', ')}`);
  }
}

const env = new LocalEnvironment('comap');
const readings = env.fromBatch<Reading>([
  { room: 'kitchen', celsius: 21 },
  { room: 'lab', celsius: 19 },
  { room: 'kitchen', celsius: 24 },
]);
const alarms = env.fromBatch<Alarm>([
  { room: 'lab', kind: 'door' },
  { room: 'kitchen', kind: 'smoke' },
]);
readings.connect(alarms).coMap(Monitor).print();
await env.submit({ autostop: true });
