export { collect } from './collect.js';
export { type HarnessInput, type HarnessOperation, type HarnessOutput, runOperator } from './operator-harness.js';
export { VirtualClock } from './virtual-clock.js';
