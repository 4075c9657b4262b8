/** The first read's progress on the page: shown until the first snapshot, then gone. */
import { describe, expect, it } from 'vitest';
import { emptyTopology } from '../../../common/model.js';
import { createLiveModel } from './liveModel.js';
import { progressLine } from './sequence.js';

describe('first-read progress', () => {
  it('is kept from progress messages and cleared by the first snapshot', () => {
    const live = createLiveModel();
    expect(live.receive({ type: 'progress', done: 412, total: 1002, attempt: 1 })).toBe(false);
    expect(live.store.getState().progress).toEqual({ done: 412, total: 1002, attempt: 1 });
    expect(progressLine(live.store.getState().progress!)).toBe('Reading namespaces 412 of 1002…');
    live.receive({
      type: 'snapshot',
      protocol: 1,
      epoch: 'e',
      seq: 0,
      topology: emptyTopology(),
      readOnly: true,
    });
    expect(live.store.getState().progress).toBeNull();
    expect(live.store.getState().live?.epoch).toBe('e');
  });

  it('says when nothing is counted yet and when a read is retried', () => {
    expect(progressLine({ done: 0, total: 0, attempt: 1 })).toBe('Finding namespaces…');
    expect(progressLine({ done: 64, total: 1002, attempt: 2 })).toBe(
      'Reading namespaces 64 of 1002 (attempt 2)…',
    );
  });
});
