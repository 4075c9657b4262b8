/**
 * A guess of the path from the model alone (pure): longest-prefix match over the main table's
 * routes and the layer-2 segment, namespace by namespace. It decides nothing: the walk still asks
 * the kernel at every step. It only lets the trace ask every namespace its likely questions (both
 * directions) in one `ip` run each, all at once, instead of one namespace after the other; where
 * the guess is wrong (policy rules, routes the model has not seen yet) the walk asks again.
 */
import ipaddr from 'ipaddr.js';
import type { Interface, Route, Topology } from '../../common/model.js';
import type { RouteQuery } from './reader.js';
import type { SegmentIndex } from './segment.js';
import { findReceiver } from './segment.js';

export interface PlannedNamespace {
  namespace: string;
  /** The route questions the walks will likely ask here (way there first, then the reply). */
  queries: RouteQuery[];
}

export interface TracePlan {
  namespaces: PlannedNamespace[];
  /** Where the packet would be delivered, null when the guess ends before that. */
  deliveredTo: string | null;
}

const MAX_STEPS = 32;

function parseCidr(dst: string, family: 4 | 6): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    if (dst === 'default') return [ipaddr.parse(family === 4 ? '0.0.0.0' : '::'), 0];
    if (dst.includes('/')) return ipaddr.parseCIDR(dst);
    const a = ipaddr.parse(dst);
    return [a, a.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

/** The main-table unicast route the kernel would most likely pick for `to` (no policy rules). */
export function lookupRoute(routes: Route[], to: string, family: 4 | 6): Route | null {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(to);
  } catch {
    return null;
  }
  let best: Route | null = null;
  let bestLen = -1;
  let bestMetric = Infinity;
  for (const r of routes) {
    if (r.table !== 'main' || r.type !== 'unicast' || !r.dev) continue;
    if ((r.family === 'inet6') !== (family === 6)) continue;
    const net = parseCidr(r.dst, family);
    if (!net || net[0].kind() !== addr.kind() || !addr.match(net[0], net[1])) continue;
    const metric = r.metric ?? 0;
    if (net[1] > bestLen || (net[1] === bestLen && metric < bestMetric)) {
      best = r;
      bestLen = net[1];
      bestMetric = metric;
    }
  }
  return best;
}

const plain = (cidr: string): string => cidr.split('/')[0] ?? cidr;

function localIn(idx: SegmentIndex, ns: string, addr: string): boolean {
  return (idx.inNamespace.get(ns) ?? []).some((i) => i.addresses.some((a) => plain(a.cidr) === addr));
}

function sourceFor(iface: Interface | undefined, route: Route, family: 4 | 6): string | null {
  if (route.prefsrc) return route.prefsrc;
  const a = iface?.addresses.find((x) => (x.family === 'inet6') === (family === 6) && x.scope !== 'link');
  return a ? plain(a.cidr) : null;
}

/**
 * The likely namespaces from `from` to `to`, each with the way-there question (`route get TO
 * [from SRC iif IN]`, as walk.ts asks it) and the reply's (`route get SRC from TO [iif OUT]`).
 */
export function planTrace(
  topology: Topology,
  idx: SegmentIndex,
  from: string,
  to: string,
  family: 4 | 6,
  mark: number | null = null,
): TracePlan {
  const byNs = new Map<string, RouteQuery[]>();
  const ask = (ns: string, q: RouteQuery) => {
    const list = byNs.get(ns) ?? [];
    const same = (x: RouteQuery) =>
      x.to === q.to && x.from === q.from && x.iif === q.iif && x.mark === q.mark;
    if (!list.some(same)) list.push(q);
    byNs.set(ns, list);
  };
  const routesOf = new Map<string, Route[]>();
  for (const r of topology.routes) {
    const list = routesOf.get(r.namespace);
    if (list) list.push(r);
    else routesOf.set(r.namespace, [r]);
  }

  let ns = from;
  let iif: Interface | null = null;
  let src: string | null = null;
  const hops: Array<{ ns: string; out: string | null }> = [];
  const seen = new Set<string>();
  let deliveredTo: string | null = null;
  for (let step = 0; step < MAX_STEPS; step++) {
    const key = `${ns}|${iif?.id ?? ''}`;
    if (seen.has(key)) break;
    seen.add(key);
    // Only the source sees the mark: a packet that changes namespace loses it (walk.ts).
    ask(ns, { to, from: src, iif: iif?.name ?? null, mark: step === 0 ? mark : null });
    if (localIn(idx, ns, to)) {
      hops.push({ ns, out: null });
      deliveredTo = ns;
      break;
    }
    const route = lookupRoute(routesOf.get(ns) ?? [], to, family);
    if (!route?.dev) break;
    const outIf = (idx.inNamespace.get(ns) ?? []).find((i) => i.name === route.dev);
    src = src ?? sourceFor(outIf, route, family);
    hops.push({ ns, out: route.dev });
    if (!outIf) break;
    const seg = findReceiver(idx, outIf, route.gateway ?? to, null);
    if (!seg.ok) break;
    ns = seg.receiver.namespace;
    iif = seg.receiver;
  }
  // The reply, if it comes back the same way: from the delivering namespace, then in on the
  // interface each namespace sent the request out of.
  if (deliveredTo && src) for (const h of hops) ask(h.ns, { to: src, from: to, iif: h.out, mark: null });
  return {
    namespaces: [...byNs].map(([namespace, queries]) => ({ namespace, queries })),
    deliveredTo,
  };
}
