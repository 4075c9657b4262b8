/**
 * Pure diff and apply over topologies. `applyDelta(prev, diffTopology(prev, next))` deep-equals
 * `normalizeTopology(next)`; the server computes deltas with the first, clients and tests replay
 * them with the second.
 */
import type { DeltaOp, EntityKind } from './protocol.js';
import { normalizeTopology } from './model.js';
import type { Interface, Link, Namespace, Route, Topology } from './model.js';

type Entity = Namespace | Interface | Route | Link;

const COLLECTIONS: ReadonlyArray<[EntityKind, 'namespaces' | 'interfaces' | 'routes' | 'links']> = [
  ['namespace', 'namespaces'],
  ['interface', 'interfaces'],
  ['route', 'routes'],
  ['link', 'links'],
];

/** Structural equality of JSON values (the model holds only JSON). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && jsonEqual(ra[k], rb[k]));
}

function putOp(entity: EntityKind, value: Entity): DeltaOp {
  // The casts are sound: COLLECTIONS pairs each entity kind with its own collection.
  switch (entity) {
    case 'namespace':
      return { op: 'put', entity, value: value as Namespace };
    case 'interface':
      return { op: 'put', entity, value: value as Interface };
    case 'route':
      return { op: 'put', entity, value: value as Route };
    case 'link':
      return { op: 'put', entity, value: value as Link };
  }
}

/**
 * The operations that turn `prev` into `next`, or null when nothing changed (no empty deltas).
 * Puts come parents first (namespaces before interfaces); removes come children first.
 */
export function diffTopology(prev: Topology, next: Topology): DeltaOp[] | null {
  const puts: DeltaOp[] = [];
  const removes: DeltaOp[] = [];
  for (const [entity, key] of COLLECTIONS) {
    const before = prev[key] as readonly Entity[];
    const after = next[key] as readonly Entity[];
    if (isSortedById(before) && isSortedById(after)) diffSorted(entity, before, after, puts, removes);
    else diffAny(entity, before, after, puts, removes);
  }
  const ops = [...puts, ...removes.reverse()];
  return ops.length === 0 ? null : ops;
}

function isSortedById(a: readonly Entity[]): boolean {
  for (let i = 1; i < a.length; i++) if (a[i - 1]!.id >= a[i]!.id) return false;
  return true;
}

/**
 * Normalized topologies (the usual case) are diffed by walking both sorted lists at once: at a
 * few thousand entities this is several times cheaper than building maps, and an entity that is
 * the same object on both sides costs one pointer compare.
 */
function diffSorted(
  entity: EntityKind,
  before: readonly Entity[],
  after: readonly Entity[],
  puts: DeltaOp[],
  removes: DeltaOp[],
): void {
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (b === undefined || (a !== undefined && a.id < b.id)) {
      removes.push({ op: 'remove', entity, id: a!.id });
      i++;
    } else if (a === undefined || b.id < a.id) {
      puts.push(putOp(entity, b));
      j++;
    } else {
      if (a !== b && !jsonEqual(a, b)) puts.push(putOp(entity, b));
      i++;
      j++;
    }
  }
}

function diffAny(
  entity: EntityKind,
  before: readonly Entity[],
  after: readonly Entity[],
  puts: DeltaOp[],
  removes: DeltaOp[],
): void {
  const old = new Map<string, Entity>(before.map((e) => [e.id, e]));
  const seen = new Set<string>();
  for (const value of after) {
    seen.add(value.id);
    const o = old.get(value.id);
    if (!o || !jsonEqual(o, value)) puts.push(putOp(entity, value));
  }
  for (const id of old.keys()) if (!seen.has(id)) removes.push({ op: 'remove', entity, id });
}

/** Applies operations to a topology, returning a new normalized one; `prev` is not changed. */
export function applyDelta(prev: Topology, ops: readonly DeltaOp[]): Topology {
  const maps = {
    namespace: new Map<string, Entity>(prev.namespaces.map((e) => [e.id, e])),
    interface: new Map<string, Entity>(prev.interfaces.map((e) => [e.id, e])),
    route: new Map<string, Entity>(prev.routes.map((e) => [e.id, e])),
    link: new Map<string, Entity>(prev.links.map((e) => [e.id, e])),
  };
  for (const op of ops) {
    if (op.op === 'put') maps[op.entity].set(op.value.id, op.value);
    else maps[op.entity].delete(op.id);
  }
  return normalizeTopology({
    version: prev.version,
    namespaces: [...maps.namespace.values()] as Namespace[],
    interfaces: [...maps.interface.values()] as Interface[],
    routes: [...maps.route.values()] as Route[],
    links: [...maps.link.values()] as Link[],
  });
}
