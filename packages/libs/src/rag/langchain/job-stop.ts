import type { RunnableConfig } from '@langchain/core/runnables';

/**
 * Aborts the LangChain calls still running when the job stops: the operator's `open()` arms it, its
 * `close()` fires it, and each call runs with `config(runConfig)`.
 */
export class JobStop {
  #aborter = new AbortController();

  constructor(private readonly operator: string) {}

  arm(): void {
    this.#aborter = new AbortController();
  }

  fire(): void {
    this.#aborter.abort(new Error(`${this.operator}: the job stopped`));
  }

  /** `runConfig` with a signal that also aborts when the job stops. */
  config(runConfig: RunnableConfig | undefined): RunnableConfig {
    const stop = this.#aborter.signal;
    const signal = runConfig?.signal instanceof AbortSignal ? AbortSignal.any([runConfig.signal, stop]) : stop;
    return { ...runConfig, signal };
  }
}
