/** The restart pipeline on workers: the map fails twice on one record and is restarted (fixed delay, 3 attempts). */
import { submitRestartJob } from './build-restart-pipeline.js';

export const { result, error, jobId } = await submitRestartJob('restart-map', import.meta.url, { failures: 2, attempts: 3 });
