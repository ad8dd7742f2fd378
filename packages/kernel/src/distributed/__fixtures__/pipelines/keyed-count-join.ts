/** The keyed pipeline on workers, for the test that starts workers while it runs (its own sink hash). */
import { submitKeyedJob } from './build-keyed-pipeline.js';

export const { result, jobId } = await submitKeyedJob('keyed-count-join', import.meta.url);
