/** Opens the history for `serve`: a recorder for the hub and a query for the routes, or null. */
import { HistoryQuery } from './query.js';
import { HistoryRecorder } from './recorder.js';
import { HistoryStore } from './store.js';
import type { HistoryOptions } from './options.js';

export interface OpenHistory {
  recorder: HistoryRecorder;
  query: HistoryQuery;
}

/**
 * A history that cannot be opened (no permission, a directory another server uses) must not
 * stop the explorer: it runs without, and says why.
 */
export function openHistory(options: HistoryOptions, log: (line: string) => void): OpenHistory | null {
  if (options.dir === null) {
    log('history: off (--no-history)');
    return null;
  }
  try {
    const store = HistoryStore.open({ dir: options.dir, maxBytes: options.maxBytes, log });
    const last = store.segments.at(-1)?.records.at(-1);
    log(
      `history: ${options.dir} (${(store.totalBytes / 1024 / 1024).toFixed(1)} of ${(options.maxBytes / 1024 / 1024).toFixed(0)} MB used` +
        `${last ? `, last record ${new Date(last.time).toISOString()}` : ', empty'})`,
    );
    return { recorder: new HistoryRecorder(store, { log }), query: new HistoryQuery(store) };
  } catch (e) {
    log(`history: off: cannot open ${options.dir}: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}
