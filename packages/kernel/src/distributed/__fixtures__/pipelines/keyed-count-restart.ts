/** The keyed pipeline on workers, for the test that restarts Redis while it runs (its own sink hash). */
import { submitKeyedJob } from './build-keyed-pipeline.js';

export const { result, jobId } = await submitKeyedJob('keyed-count-restart', import.meta.url);
