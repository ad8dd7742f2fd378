import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress-bar.js';

describe('ProgressBar', () => {
  it('draws on a terminal and only summarises elsewhere', () => {
    const tty: string[] = [];
    const bar = new ProgressBar({ isTTY: true, write: (text: string) => tty.push(text) }, 'indexing', 10, 'chunks');
    bar.update(10);
    bar.finish('done');
    expect(tty[0]).toMatch(/^\rindexing \[#{28}\] 10\/10 chunks \d+\/s$/);
    expect(tty[1]).toBe('\r\x1b[2Kdone\n');
    expect(bar.render(5)).toContain(`[${'#'.repeat(14)}${'-'.repeat(14)}] 5/10`);

    const piped: string[] = [];
    const quiet = new ProgressBar({ write: (text: string) => piped.push(text) }, 'indexing', 10, 'chunks');
    quiet.update(3);
    quiet.finish('done');
    expect(piped).toEqual(['done\n']);
  });
});
