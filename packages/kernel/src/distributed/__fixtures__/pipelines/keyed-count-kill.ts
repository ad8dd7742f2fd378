/** The keyed pipeline on workers, for the test that kills a worker while it runs (its own sink hash). */
import { submitKeyedJob } from './build-keyed-pipeline.js';

export const { result, jobId } = await submitKeyedJob('keyed-count-kill', import.meta.url);
