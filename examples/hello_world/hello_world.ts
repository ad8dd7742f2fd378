/**
 * Hello World: the smallest SAGE pipeline. A BatchFunction emits ten greetings and ends, a MapFunction
 * upper-cases them, and a SinkFunction prints them, in order.
 *
 * Run: pnpm exec tsx examples/hello_world/hello_world.ts
 */
import { BatchFunction, LocalEnvironment, MapFunction, SinkFunction } from '@sage/kernel';

/** Emits "Hello, World! #1" … "#10"; returning `undefined` ends a batch source. */
class HelloBatch extends BatchFunction<string> {
  private count = 0;

  execute(): string | undefined {
    if (this.count >= 10) return undefined;
    this.count++;
    return `Hello, World! #${this.count}`;
  }
}

class UpperCase extends MapFunction<string, string> {
  execute(text: string): string {
    return text.toUpperCase();
  }
}

class PrintSink extends SinkFunction<string> {
  execute(text: string): void {
    console.log(text);
  }
}

const env = new LocalEnvironment('hello_world');
env.fromBatch(HelloBatch).map(UpperCase).sink(PrintSink);
await env.submit({ autostop: true });
