/** Test doubles for the scheduler's tests: topologies, a gated fake discovery, a recording sink. */
import { nsId } from '../../../common/ids.js';
import { emptyTopology, normalizeTopology } from '../../../common/model.js';
import type { Topology } from '../../../common/model.js';
import type { DeltaOp } from '../../../common/protocol.js';
import type { LiveDiscoveryResult, SchedulerSink } from '../schedulerTypes.js';

export function topoWith(names: string[]): Topology {
  return normalizeTopology({
    ...emptyTopology(),
    namespaces: names.map((n, i) => ({
      id: nsId(100 + i),
      inode: 100 + i,
      kind: 'named' as const,
      name: n,
      netnsNames: [n],
      pids: [],
      processes: [],
      containers: [],
      mounts: [],
      error: null,
    })),
  });
}

export function result(t: Topology): LiveDiscoveryResult {
  return { topology: t, errors: [], hostNsids: new Map() };
}

/** A discovery whose refreshes complete when the test says so. */
export class FakeDiscovery {
  calls: Array<{ kind: 'full' | 'refresh'; inodes: number[] }> = [];
  next: Topology = topoWith([]);
  failNext = false;
  private gates: Array<() => void> = [];
  gated = false;
  private async answer(kind: 'full' | 'refresh', inodes: number[]): Promise<LiveDiscoveryResult> {
    this.calls.push({ kind, inodes });
    if (this.gated) await new Promise<void>((r) => this.gates.push(r));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('boom');
    }
    return result(this.next);
  }
  full = () => this.answer('full', []);
  refresh = (inodes: Iterable<number>) => this.answer('refresh', [...inodes].sort());
  open(): void {
    this.gated = false;
    for (const g of this.gates.splice(0)) g();
  }
}

/** A sink that records what is published and holds the model, as the hub does. */
export function sink(initial: Topology = topoWith([])) {
  const deltas: DeltaOp[][] = [];
  const resets: string[] = [];
  let model = initial;
  const s: SchedulerSink = {
    current: () => model,
    delta: (ops, next) => {
      model = next;
      deltas.push(ops);
    },
    reset: (next, reason) => {
      model = next;
      resets.push(reason);
    },
    errors: () => {},
    hostNsids: () => {},
  };
  return { s, deltas, resets };
}
