import type { RunnableConfig, RunnableInterface } from '@langchain/core/runnables';
import { MapFunction } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { withTiming } from '../contracts.js';
import { JobStop } from './job-stop.js';

const OPERATOR = 'LangChainRunnable';

export interface LangChainRunnableConfig<In = any, Out = any, RunInput = any, RunOutput = any> {
  /** Any LangChain runnable: a chain, a prompt | model sequence, a `RunnableLambda`, a retriever… */
  runnable: RunnableInterface<RunInput, RunOutput>;
  /** What the runnable is invoked with; default the record itself. */
  input?: (record: In) => RunInput;
  /**
   * The record to emit; default: the record with an object result merged into it, or with any other result
   * (a string, a list of documents) stored under `output`. A record that is not an object is kept under `input`.
   */
  output?: (result: RunOutput, record: In) => Out;
  /** LangChain call options for every invocation (callbacks, tags, metadata, timeout, …). */
  runConfig?: RunnableConfig;
  /** Key of the record's `timings` entry; default `LangChainRunnable`. */
  name?: string;
}

const isFunction = (value: unknown) => typeof value === 'function';
const isRunnable = (value: unknown) => typeof value === 'object' && value !== null && isFunction((value as RunnableInterface).invoke);

const schema = z.strictObject({
  runnable: z.custom<RunnableInterface>(isRunnable, { message: 'expected a LangChain Runnable (with invoke())' }),
  input: z.custom<(record: unknown) => unknown>(isFunction, { message: 'expected a function' }).optional(),
  output: z.custom<(result: unknown, record: unknown) => unknown>(isFunction, { message: 'expected a function' }).optional(),
  runConfig: z.record(z.string(), z.unknown()).optional(),
  name: z.string().min(1).default(OPERATOR),
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Runs a LangChain runnable on every record: `invoke(input(record))`, then `output(result, record)`. Async:
 * give the operator a `concurrency` option to keep several invocations in flight. Adds the invocation's time
 * under `timings[name]` when the emitted record is an object. Invocations still running when the job stops
 * are aborted (their `signal`).
 *
 * ```ts
 * stream.map(LangChainRunnable, { runnable: prompt.pipe(model).pipe(new StringOutputParser()), input: (r) => ({ question: r.query }) })
 * ```
 */
export class LangChainRunnable<In = any, Out = any, RunInput = any, RunOutput = any> extends MapFunction<
  In,
  Out,
  LangChainRunnableConfig<In, Out, RunInput, RunOutput>
> {
  private readonly settings: z.infer<typeof schema>;
  private readonly stop = new JobStop(OPERATOR);

  constructor(config?: LangChainRunnableConfig<In, Out, RunInput, RunOutput>) {
    super(config);
    this.settings = parseConfig(OPERATOR, schema, config);
  }

  override open(): void {
    this.stop.arm();
  }

  override close(): void {
    this.stop.fire();
  }

  async execute(record: In): Promise<Out> {
    const { runnable, input, output, runConfig, name } = this.settings;
    const started = performance.now();
    const runInput = input === undefined ? record : input(record);
    const result = await runnable.invoke(runInput, this.stop.config(runConfig));
    const elapsed = performance.now() - started;
    const emitted = output === undefined ? mergeResult(record, result) : output(result, record);
    return (isPlainObject(emitted) ? withTiming(emitted, name, elapsed) : emitted) as Out;
  }
}

function mergeResult(record: unknown, result: unknown): Record<string, unknown> {
  const base = isPlainObject(record) ? record : { input: record };
  return isPlainObject(result) ? { ...base, ...result } : { ...base, output: result };
}
