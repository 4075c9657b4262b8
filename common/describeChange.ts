/**
 * Pure description of model changes in words people use: "veth1 in netshoot-a went down",
 * "route 8.8.8.8 added in netshoot-a". `before` names what a remove takes away, `after` what a
 * put brings.
 */
import type { Interface, Link, Namespace, Route, Topology } from './model.js';
import type { DeltaOp } from './protocol.js';

/** Finds entities by id: a topology (binary search) or the maps of a replay. */
export interface ModelLookup {
  namespace(id: string): Namespace | undefined;
  interface(id: string): Interface | undefined;
  route(id: string): Route | undefined;
  link(id: string): Link | undefined;
}

function byIdIn<T extends { id: string }>(items: readonly T[], id: string): T | undefined {
  // Collections are sorted by id: binary search keeps describing big deltas cheap.
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = items[mid]!;
    if (v.id === id) return v;
    if (v.id < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

export function lookupOf(t: Topology): ModelLookup {
  return {
    namespace: (id) => byIdIn(t.namespaces, id),
    interface: (id) => byIdIn(t.interfaces, id),
    route: (id) => byIdIn(t.routes, id),
    link: (id) => byIdIn(t.links, id),
  };
}

/** The model after `ops` as far as names go: what the ops put, else what was there. */
function afterLookup(ops: readonly DeltaOp[], before: ModelLookup): ModelLookup {
  const put = new Map<string, Namespace | Interface | Route | Link>();
  for (const op of ops) if (op.op === 'put') put.set(`${op.entity}:${op.value.id}`, op.value);
  return {
    namespace: (id) => (put.get(`namespace:${id}`) as Namespace | undefined) ?? before.namespace(id),
    interface: (id) => (put.get(`interface:${id}`) as Interface | undefined) ?? before.interface(id),
    route: (id) => (put.get(`route:${id}`) as Route | undefined) ?? before.route(id),
    link: (id) => (put.get(`link:${id}`) as Link | undefined) ?? before.link(id),
  };
}

function nsName(id: string, m: ModelLookup): string {
  return m.namespace(id)?.name ?? id;
}

function ifName(id: string, m: ModelLookup): string {
  const i = m.interface(id);
  return i ? `${i.name} in ${nsName(i.namespace, m)}` : id;
}

function describeNamespace(old: Namespace | undefined, now: Namespace): string {
  if (!old) return `namespace ${now.name} added`;
  if (old.name !== now.name) return `namespace ${old.name} is now called ${now.name}`;
  if (old.pids.join() !== now.pids.join()) return `processes in ${now.name} changed (${now.pids.length} now)`;
  if (old.error !== now.error)
    return now.error
      ? `namespace ${now.name} unreadable: ${now.error}`
      : `namespace ${now.name} readable again`;
  return `namespace ${now.name} changed`;
}

function describeInterface(
  old: Interface | undefined,
  now: Interface,
  where: string,
  m: ModelLookup,
): string[] {
  const name = `${now.name} in ${where}`;
  if (!old) return [`${now.kind} ${name} added`];
  const out: string[] = [];
  if (old.name !== now.name) out.push(`${old.name} in ${where} renamed to ${now.name}`);
  if (old.state !== now.state) {
    if (now.state === 'UP') out.push(`${name} went up`);
    else if (old.state === 'UP') out.push(`${name} went down`);
    else out.push(`${name} is now ${now.state.toLowerCase()}`);
  }
  const oldAddrs = new Set(old.addresses.map((a) => a.cidr));
  const newAddrs = new Set(now.addresses.map((a) => a.cidr));
  for (const a of newAddrs) if (!oldAddrs.has(a)) out.push(`address ${a} added to ${name}`);
  for (const a of oldAddrs) if (!newAddrs.has(a)) out.push(`address ${a} removed from ${name}`);
  if (old.mtu !== now.mtu) out.push(`${name}: mtu ${old.mtu} -> ${now.mtu}`);
  if (old.master !== now.master) {
    out.push(
      now.master
        ? `${name} joined ${ifName(now.master, m)}`
        : `${name} left ${old.master ? ifName(old.master, m) : 'its master'}`,
    );
  }
  if (old.mac !== now.mac) out.push(`${name}: mac ${now.mac ?? 'none'}`);
  if (out.length === 0 && old.flags.join() !== now.flags.join())
    out.push(`${name}: flags ${now.flags.join(',') || 'none'}`);
  if (out.length === 0) out.push(`${name} changed`);
  return out;
}

function routeText(r: Route): string {
  const table = r.table === 'main' ? '' : ` (table ${r.table})`;
  const family = r.family === 'inet6' && r.dst === 'default' ? ' (IPv6)' : '';
  return `route ${r.dst}${family}${table}`;
}

function describeRoute(old: Route | undefined, now: Route, where: string): string {
  if (!old) return `${routeText(now)} added in ${where}`;
  if (old.gateway !== now.gateway)
    return `${routeText(now)} in ${where} now via ${now.gateway ?? 'no gateway'}`;
  return `${routeText(now)} changed in ${where}`;
}

/**
 * One line per thing that changed (an interface put can say several things), namespaces and
 * interfaces first: they are what people look for; routes follow from them.
 */
export function describeOps(ops: readonly DeltaOp[], before: ModelLookup): string[] {
  const after = afterLookup(ops, before);
  const major: string[] = [];
  const routes: string[] = [];
  for (const op of ops) {
    if (op.op === 'remove') {
      if (op.entity === 'namespace') major.push(`namespace ${nsName(op.id, before)} removed`);
      else if (op.entity === 'interface') {
        const i = before.interface(op.id);
        major.push(
          i
            ? `${i.kind} ${i.name} removed from ${nsName(i.namespace, before)}`
            : `interface ${op.id} removed`,
        );
      } else if (op.entity === 'route') {
        const r = before.route(op.id);
        routes.push(
          r ? `${routeText(r)} removed from ${nsName(r.namespace, before)}` : `route ${op.id} removed`,
        );
      } else {
        const l = before.link(op.id);
        major.push(
          l ? `veth pair ${ifName(l.a, before)} / ${ifName(l.b, before)} removed` : `link ${op.id} removed`,
        );
      }
      continue;
    }
    switch (op.entity) {
      case 'namespace':
        major.push(describeNamespace(before.namespace(op.value.id), op.value));
        break;
      case 'interface':
        major.push(
          ...describeInterface(
            before.interface(op.value.id),
            op.value,
            nsName(op.value.namespace, after),
            after,
          ),
        );
        break;
      case 'route':
        routes.push(describeRoute(before.route(op.value.id), op.value, nsName(op.value.namespace, after)));
        break;
      case 'link':
        major.push(`veth pair ${ifName(op.value.a, after)} / ${ifName(op.value.b, after)} added`);
        break;
    }
  }
  return [...major, ...routes];
}

/** One line for a whole change: the first two things and how many more. */
export function summarize(lines: readonly string[]): string {
  if (lines.length === 0) return 'no visible change';
  if (lines.length <= 2) return lines.join('; ');
  return `${lines[0]}; ${lines[1]}; and ${lines.length - 2} more`;
}
