import type { Clock } from '@sage/kernel';
import { z } from 'zod';

const isFunction = (value: unknown) => typeof value === 'function';
const isClock = (value: unknown) =>
  typeof value === 'object' && value !== null && isFunction((value as Clock).now) && isFunction((value as Clock).schedule);

/** The config fields every generator takes: a callback for each piece of the answer, and the clock it is timed with. */
export const generatorOptionsShape = {
  onToken: z.custom<(token: string) => void>(isFunction, 'expected a function').optional(),
  clock: z.custom<Clock>(isClock, 'expected a Clock ({ now(), schedule() })').optional(),
};
