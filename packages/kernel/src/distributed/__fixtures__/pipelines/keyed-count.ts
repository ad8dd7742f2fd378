/** The keyed pipeline on workers, with no failure. */
import { submitKeyedJob } from './build-keyed-pipeline.js';

export const { result, jobId } = await submitKeyedJob('keyed-count', import.meta.url);
