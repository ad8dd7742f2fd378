/** The keyed pipeline on workers, for the test that stops a worker gracefully while it runs (its own sink hash). */
import { submitKeyedJob } from './build-keyed-pipeline.js';

export const { result, jobId } = await submitKeyedJob('keyed-count-stop', import.meta.url);
