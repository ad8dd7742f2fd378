/**
 * Decides when a feedback loop (the operators on a cycle through a future stream) is done: every input
 * from outside the loop has ended and no data message is queued on, or being processed by, a loop instance
 * (a message counts from the moment it enters a loop channel, so a hand-over between instances is never
 * mistaken for quiet). In one process that state, once reached, cannot change; the tracker then ends the future, and the
 * end travels around the loop like any other end of stream.
 */
export class LoopTracker {
  private busy = 0;
  private externalEnds = 0;
  private done = false;

  constructor(
    private readonly expectedExternalEnds: number,
    private readonly endFuture: () => void,
  ) {}

  startWork(): void {
    this.busy++;
  }

  finishWork(): void {
    this.busy--;
    this.check();
  }

  externalInputEnded(): void {
    this.externalEnds++;
    this.check();
  }

  check(): void {
    if (this.done || this.busy > 0 || this.externalEnds < this.expectedExternalEnds) return;
    this.done = true;
    this.endFuture();
  }
}
