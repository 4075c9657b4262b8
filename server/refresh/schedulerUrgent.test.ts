/**
 * The scheduler's urgent lane (a container started or stopped: its namespace is read alone, ahead
 * of other pending work) and its bound on namespaces per refresh.
 */
import { describe, expect, it } from 'vitest';
import { RefreshScheduler } from './scheduler.js';
import type { LiveDiscoveryResult, RefreshOptions } from './schedulerTypes.js';
import { result, sink, topoWith } from './testing/schedulerTestKit.js';

/** Records each refresh with its options; a refresh waits while `gate` is set; answers `answer()`. */
class RecordingDiscovery {
  calls: Array<{ inodes: number[]; opts: RefreshOptions }> = [];
  gate: Promise<void> | null = null;
  answer: (inodes: number[]) => LiveDiscoveryResult = () => result(topoWith([]));
  full = async (): Promise<LiveDiscoveryResult> => result(topoWith([]));
  refresh = async (inodes: Iterable<number>, opts: RefreshOptions = {}): Promise<LiveDiscoveryResult> => {
    const list = [...inodes].sort((a, b) => a - b);
    this.calls.push({ inodes: list, opts });
    if (this.gate) await this.gate;
    return this.answer(list);
  };
}

function gated(d: RecordingDiscovery): () => void {
  let open = (): void => undefined;
  d.gate = new Promise<void>((r) => (open = r));
  return () => {
    d.gate = null;
    open();
  };
}

describe('RefreshScheduler urgent lane', () => {
  it('reads a container namespace before other pending namespaces, alone and without other new ones', async () => {
    const d = new RecordingDiscovery();
    const sched = new RefreshScheduler(d, sink().s, { coalesceMs: 1, hostInode: 1 });
    const open = gated(d);
    sched.namespaces([50]);
    await new Promise((r) => setTimeout(r, 20));
    // While that refresh runs: a monitor burst and a list, then a container starts in 77.
    sched.namespaces([60, 61, 62]);
    sched.list();
    sched.urgent([77]);
    open();
    await sched.idle();
    expect(d.calls[1]).toEqual({ inodes: [77], opts: { newLimit: 0, deferHost: true } });
    expect(d.calls[2]?.inodes).toEqual([60, 61, 62]);
  });

  it('reads at most maxPerRefresh namespaces per refresh, the rest in the next ones', async () => {
    const d = new RecordingDiscovery();
    const sched = new RefreshScheduler(d, sink().s, { coalesceMs: 1, maxPerRefresh: 3 });
    sched.namespaces([11, 12, 13, 14, 15, 16, 17]);
    await sched.idle();
    expect(d.calls.map((c) => c.inodes)).toEqual([[11, 12, 13], [14, 15, 16], [17]]);
    // New namespaces share the same bound: 3 asked leave room for none, 1 asked for 2.
    expect(d.calls.map((c) => c.opts.newLimit)).toEqual([0, 0, 2]);
  });

  it('lists again while new namespaces were left out, until none is', async () => {
    const d = new RecordingDiscovery();
    let left = [21, 22, 23, 24, 25];
    d.answer = () => {
      const r = { ...result(topoWith([])), ...(left.length > 0 ? { leftOut: left } : {}) };
      left = left.slice(2);
      return r;
    };
    const sched = new RefreshScheduler(d, sink().s, { coalesceMs: 1, maxPerRefresh: 2 });
    sched.list();
    await sched.idle();
    // The fake leaves out 5, 3, 1, then none: four refreshes, each but the first a re-list.
    expect(d.calls).toHaveLength(4);
    expect(d.calls.map((c) => c.opts.reuseScan)).toEqual([false, false, false, false]);
  });
});
