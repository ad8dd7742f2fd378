/** Anything with a `write(text)`, such as `process.stderr`. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

const WIDTH = 28;
const REDRAW_MS = 100;

/**
 * A one-line progress bar on a terminal (`\r` redraws at most every 100 ms); on anything else (a pipe, a
 * log file) it writes nothing until `finish`, which prints one summary line either way.
 */
export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: TextSink,
    private readonly label: string,
    private readonly total: number,
    private readonly unit: string,
  ) {}

  update(done: number): void {
    if (this.out.isTTY !== true) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && done < this.total) return;
    this.lastDraw = now;
    this.drawn = true;
    this.out.write(`\r${this.render(done)}`);
  }

  finish(summary: string): void {
    this.out.write(`${this.drawn ? '\r\x1b[2K' : ''}${summary}\n`);
  }

  render(done: number): string {
    const share = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const filled = Math.round(share * WIDTH);
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `${this.label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${this.total} ${this.unit} ${rate}/s`;
  }
}
