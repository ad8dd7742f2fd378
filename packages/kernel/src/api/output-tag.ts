import { ValidationError } from '@sage/common';

/**
 * Names a side output and the type of its records (Flink's `OutputTag`): `sideOutputLateData(tag)` writes
 * to it and `getSideOutput(tag)` reads it as a stream.
 */
export class OutputTag<T = unknown> {
  /** Only carries `T` for type inference. */
  declare readonly __type?: T;

  constructor(readonly id: string) {
    if (typeof id !== 'string' || id.length === 0) throw new ValidationError('OutputTag: id must be a non-empty string');
  }
}
