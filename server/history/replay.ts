/** A model being replayed from a full model and deltas: maps, so each op costs O(1). */
import { MODEL_VERSION, normalizeTopology } from '../../common/model.js';
import type { Interface, Link, Namespace, Route, Topology } from '../../common/model.js';
import type { DeltaOp } from '../../common/protocol.js';
import type { ModelLookup } from '../../common/describeChange.js';

export class Replay implements ModelLookup {
  private readonly ns = new Map<string, Namespace>();
  private readonly ifs = new Map<string, Interface>();
  private readonly rts = new Map<string, Route>();
  private readonly lks = new Map<string, Link>();

  constructor(t: Topology) {
    for (const n of t.namespaces) this.ns.set(n.id, n);
    for (const i of t.interfaces) this.ifs.set(i.id, i);
    for (const r of t.routes) this.rts.set(r.id, r);
    for (const l of t.links) this.lks.set(l.id, l);
  }

  apply(ops: readonly DeltaOp[]): void {
    for (const op of ops) {
      if (op.op === 'remove') {
        if (op.entity === 'namespace') this.ns.delete(op.id);
        else if (op.entity === 'interface') this.ifs.delete(op.id);
        else if (op.entity === 'route') this.rts.delete(op.id);
        else this.lks.delete(op.id);
        continue;
      }
      switch (op.entity) {
        case 'namespace':
          this.ns.set(op.value.id, op.value);
          break;
        case 'interface':
          this.ifs.set(op.value.id, op.value);
          break;
        case 'route':
          this.rts.set(op.value.id, op.value);
          break;
        case 'link':
          this.lks.set(op.value.id, op.value);
          break;
      }
    }
  }

  topology(): Topology {
    return normalizeTopology({
      version: MODEL_VERSION,
      namespaces: [...this.ns.values()],
      interfaces: [...this.ifs.values()],
      routes: [...this.rts.values()],
      links: [...this.lks.values()],
    });
  }

  namespace(id: string): Namespace | undefined {
    return this.ns.get(id);
  }
  interface(id: string): Interface | undefined {
    return this.ifs.get(id);
  }
  route(id: string): Route | undefined {
    return this.rts.get(id);
  }
  link(id: string): Link | undefined {
    return this.lks.get(id);
  }
}
