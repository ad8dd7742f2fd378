/** The restart pipeline on workers with a restart pause longer than the partition lease and the batch lock. */
import { submitRestartJob } from './build-restart-pipeline.js';

export const { result, error, jobId } = await submitRestartJob('restart-long-delay', import.meta.url, { failures: 1, attempts: 1, delayMs: 2_500 });
