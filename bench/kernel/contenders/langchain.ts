import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { AsyncTally, step1, step2, step3 } from '../workload.js';

/** LangChain.js: a RunnableSequence of the three async steps, run with batch(). */
export async function runLangChain(inputs: readonly number[], maxConcurrency: number): Promise<AsyncTally> {
  const chain = RunnableSequence.from([RunnableLambda.from(step1), step2, step3]);
  const outputs = await chain.batch(inputs as number[], { maxConcurrency });
  const tally = new AsyncTally();
  for (const value of outputs) tally.add(value);
  return tally;
}
