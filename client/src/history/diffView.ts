/**
 * The picture of a difference: everything in B plus what A had and B lost (drawn as ghosts),
 * with a mark per drawn id: added (green), removed (red ghost), changed (amber). Pure.
 */
import { jsonEqual } from '../../../common/delta.js';
import { normalizeTopology } from '../../../common/model.js';
import type { Topology } from '../../../common/model.js';

export type DiffMark = 'added' | 'removed' | 'changed';

export interface DiffView {
  topology: Topology;
  marks: ReadonlyMap<string, DiffMark>;
}

type Keyed = { id: string };

function merge<T extends Keyed>(a: readonly T[], b: readonly T[], marks: Map<string, DiffMark>): T[] {
  const before = new Map(a.map((x) => [x.id, x]));
  const out: T[] = [];
  for (const x of b) {
    const old = before.get(x.id);
    if (!old) marks.set(x.id, 'added');
    else if (!jsonEqual(old, x)) marks.set(x.id, 'changed');
    before.delete(x.id);
    out.push(x);
  }
  for (const gone of before.values()) {
    marks.set(gone.id, 'removed');
    out.push(gone);
  }
  return out;
}

export function diffView(a: Topology, b: Topology): DiffView {
  const marks = new Map<string, DiffMark>();
  const namespaces = merge(a.namespaces, b.namespaces, marks);
  const interfaces = merge(a.interfaces, b.interfaces, marks);
  const links = merge(a.links, b.links, marks);
  // Routes are not drawn: a route change marks its namespace's box (unless it has a mark already).
  const routeMarks = new Map<string, DiffMark>();
  const routes = merge(a.routes, b.routes, routeMarks);
  for (const r of routes)
    if (routeMarks.has(r.id) && !marks.has(r.namespace)) marks.set(r.namespace, 'changed');
  return {
    topology: normalizeTopology({ version: b.version, namespaces, interfaces, routes, links }),
    marks,
  };
}

/** The marks that say what changed, for counting: routes folded into their box. */
export function countMarks(marks: ReadonlyMap<string, DiffMark>): Record<DiffMark, number> {
  const n = { added: 0, removed: 0, changed: 0 };
  for (const m of marks.values()) n[m]++;
  return n;
}
