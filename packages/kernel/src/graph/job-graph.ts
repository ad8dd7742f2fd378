import { PipelineError } from '@sage/common';
import type { Transformation } from './transformation.js';

/** The logical graph of one job: every transformation the API created, in creation order. */
export class JobGraph {
  readonly transformations: Transformation[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(readonly jobName: string) {}

  /** A default operator name: `map_1`, `map_2`, … in creation order (deterministic across processes). */
  defaultName(operation: string): string {
    const next = (this.counters.get(operation) ?? 0) + 1;
    this.counters.set(operation, next);
    return `${operation}_${next}`;
  }

  nextId(name: string): string {
    return `${this.transformations.length}:${name}`;
  }

  add<T extends Transformation>(transformation: T): T {
    const name = transformation.options.name;
    if (this.names.has(name)) {
      throw new PipelineError(`two operators are named "${name}": operator names must be unique in a job`);
    }
    this.names.add(name);
    this.transformations.push(transformation);
    return transformation;
  }
}
