import type { MergingWindowAssigner } from './assigners.js';
import type { Window } from './window.js';

/**
 * Called when windows merge: `mergeResult` replaces `mergedWindows`; the contents kept under
 * `mergedStateWindows` move into `stateWindowResult`.
 */
export type MergeFunction<W extends Window> = (mergeResult: W, mergedWindows: W[], stateWindowResult: W, mergedStateWindows: W[]) => void;

/**
 * The session windows of one key (Flink's `MergingWindowSet`). Each in-flight window maps to the *state window*
 * under which its contents are stored, so merging only renames windows and moves the smaller contents.
 */
export class MergingWindowSet<W extends Window> {
  private readonly mapping = new Map<string, { window: W; stateWindow: W }>();

  constructor(private readonly assigner: MergingWindowAssigner<W>) {}

  get isEmpty(): boolean {
    return this.mapping.size === 0;
  }

  getStateWindow(window: W): W | undefined {
    return this.mapping.get(window.id)?.stateWindow;
  }

  /** In-flight window id -> state window id, as plain data (a worker's snapshot of the key). */
  entries(): Array<[string, string]> {
    return [...this.mapping].map(([id, entry]) => [id, entry.stateWindow.id]);
  }

  /** Continues from `entries()`; `windowOf` rebuilds a window from its id. */
  restore(entries: ReadonlyArray<[string, string]>, windowOf: (id: string) => W): void {
    for (const [id, stateId] of entries) this.mapping.set(id, { window: windowOf(id), stateWindow: windowOf(stateId) });
  }

  /** Forgets a window that fired for the last time or was never accepted. */
  retireWindow(window: W): void {
    this.mapping.delete(window.id);
  }

  /** Adds `newWindow`, merging it with the windows it touches; returns the window it ended up in. */
  addWindow(newWindow: W, mergeFunction: MergeFunction<W>): W {
    const windows: W[] = [];
    for (const entry of this.mapping.values()) windows.push(entry.window);
    windows.push(newWindow);
    const mergeResults: Array<{ mergeResult: W; mergedWindows: W[] }> = [];
    this.assigner.mergeWindows(windows, (toBeMerged, mergeResult) => mergeResults.push({ mergeResult, mergedWindows: toBeMerged }));

    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const { mergeResult, mergedWindows: members } of mergeResults) {
      // The new window never had contents of its own: it is not one of the merged windows. An existing window
      // equal to it stays (compared by identity).
      const mergedWindows = members.filter((window) => window !== newWindow);
      if (mergedWindows.length !== members.length) {
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      const stateWindowResult = this.mapping.get(mergedWindows[0].id)!.stateWindow;
      const mergedStateWindows: W[] = [];
      for (const window of mergedWindows) {
        const entry = this.mapping.get(window.id);
        this.mapping.delete(window.id);
        if (entry !== undefined && entry.stateWindow.id !== stateWindowResult.id) mergedStateWindows.push(entry.stateWindow);
      }
      this.mapping.set(mergeResult.id, { window: mergeResult, stateWindow: stateWindowResult });
      // Only extending nothing (the new window lies inside one existing window) needs no merge.
      if (!(mergedWindows.length === 1 && mergedWindows[0].id === mergeResult.id)) {
        mergeFunction(mergeResult, mergedWindows, stateWindowResult, mergedStateWindows);
      }
    }
    if (mergeResults.length === 0 || (!mergedNewWindow && resultWindow.id === newWindow.id)) {
      this.mapping.set(resultWindow.id, { window: resultWindow, stateWindow: resultWindow });
    }
    return resultWindow;
  }
}
