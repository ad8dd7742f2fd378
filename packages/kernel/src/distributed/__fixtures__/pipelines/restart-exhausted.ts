/** The restart pipeline on workers with more failures than attempts: the job fails. */
import { submitRestartJob } from './build-restart-pipeline.js';

export const { result, error, jobId } = await submitRestartJob('restart-exhausted', import.meta.url, { failures: 5, attempts: 1 });
