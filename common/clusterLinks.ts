/**
 * Edges between nodes, computed by the hub from the nodes' models (pure):
 *
 * - VXLAN: device A on one node and device B on another are joined when they share the VNI and
 *   the UDP port, and each one's local underlay address is among the other's remotes.
 * - Geneve: devices on two nodes with the same VNI and UDP port, each one's remote an address
 *   of the other's node (Geneve has no local address, so the node's addresses stand in for it).
 *   Written from iproute2's output format; this project's kernel has no geneve module, so it is
 *   tested over hand-written `ip -j -d link` data only, never against a kernel.
 * - Routes: a route whose gateway is an address of no interface on its own node, but of an
 *   interface on exactly one other node, is a node-to-node route ("pod CIDR via node B"). A
 *   gateway found on several other nodes (docker0's 172.17.0.1 everywhere) names no one node.
 */
import { crossLinkId, qualifiedId } from './ids.js';
import type { CrossLink, GeneveFact, VxlanFact } from './cluster.js';
import type { Topology } from './model.js';

export interface NodeVxlan {
  host: string;
  facts: readonly VxlanFact[];
}

export function vxlanLinks(nodes: readonly NodeVxlan[]): CrossLink[] {
  const byVni = new Map<string, Array<{ host: string; fact: VxlanFact }>>();
  for (const n of nodes)
    for (const fact of n.facts) {
      if (fact.local === null) continue;
      const key = `${fact.vni}/${fact.dstport}`;
      const list = byVni.get(key) ?? [];
      list.push({ host: n.host, fact });
      byVni.set(key, list);
    }
  const out = new Map<string, CrossLink>();
  for (const list of byVni.values())
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const x = list[i]!;
        const y = list[j]!;
        if (x.host === y.host) continue;
        if (!x.fact.remotes.includes(y.fact.local!) || !y.fact.remotes.includes(x.fact.local!)) continue;
        const a = qualifiedId(x.host, x.fact.interface);
        const b = qualifiedId(y.host, y.fact.interface);
        const id = crossLinkId('vxlan', a, b);
        out.set(id, {
          id,
          kind: 'vxlan',
          a: a < b ? a : b,
          b: a < b ? b : a,
          label: `vni ${x.fact.vni}`,
          route: null,
        });
      }
  return [...out.values()].sort((p, r) => (p.id < r.id ? -1 : p.id > r.id ? 1 : 0));
}

export interface NodeGeneve {
  host: string;
  facts: readonly GeneveFact[];
}

/** Every node's addresses (not loopback or link-local) in a merged, host-qualified model. */
function nodeAddresses(merged: Topology): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const i of merged.interfaces) {
    if (i.host === undefined) continue;
    const set = out.get(i.host) ?? new Set<string>();
    for (const a of i.addresses) if (!isNodeLocal(addressOf(a.cidr))) set.add(addressOf(a.cidr));
    out.set(i.host, set);
  }
  return out;
}

export function geneveLinks(nodes: readonly NodeGeneve[], merged: Topology): CrossLink[] {
  const addresses = nodeAddresses(merged);
  const owns = (host: string, addr: string | null) =>
    addr !== null && (addresses.get(host)?.has(addr) ?? false);
  const all = nodes.flatMap((n) => n.facts.map((fact) => ({ host: n.host, fact })));
  const out = new Map<string, CrossLink>();
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) {
      const x = all[i]!;
      const y = all[j]!;
      if (x.host === y.host || x.fact.vni !== y.fact.vni || x.fact.dstport !== y.fact.dstport) continue;
      if (!owns(y.host, x.fact.remote) || !owns(x.host, y.fact.remote)) continue;
      const a = qualifiedId(x.host, x.fact.interface);
      const b = qualifiedId(y.host, y.fact.interface);
      const id = crossLinkId('geneve', a, b);
      out.set(id, {
        id,
        kind: 'geneve',
        a: a < b ? a : b,
        b: a < b ? b : a,
        label: `vni ${x.fact.vni}`,
        route: null,
      });
    }
  return [...out.values()].sort((p, r) => (p.id < r.id ? -1 : p.id > r.id ? 1 : 0));
}

/** The address part of `10.1.2.3/24`. */
function addressOf(cidr: string): string {
  const slash = cidr.indexOf('/');
  return slash < 0 ? cidr : cidr.slice(0, slash);
}

/** Addresses that say nothing about a node (loopback, link-local). */
function isNodeLocal(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.toLowerCase().startsWith('fe80:');
}

/**
 * Node-to-node routes in a merged, host-qualified model. `a` is the interface the route leaves
 * by (its `dev` in its namespace) or, without one, the route's namespace; `b` the interface
 * that holds the gateway address.
 */
export function nodeRoutes(merged: Topology): CrossLink[] {
  // address -> the qualified interface ids holding it, per host
  const holders = new Map<string, Map<string, string>>();
  for (const i of merged.interfaces) {
    const host = i.host;
    if (host === undefined) continue;
    for (const a of i.addresses) {
      const addr = addressOf(a.cidr);
      if (isNodeLocal(addr)) continue;
      const perHost = holders.get(addr) ?? new Map<string, string>();
      if (!perHost.has(host)) perHost.set(host, i.id);
      holders.set(addr, perHost);
    }
  }
  const devOf = new Map<string, string>();
  for (const i of merged.interfaces) devOf.set(`${i.namespace}\u0000${i.name}`, i.id);

  const out: CrossLink[] = [];
  for (const r of merged.routes) {
    if (r.gateway === null) continue;
    const host = r.host;
    const perHost = holders.get(r.gateway);
    if (host === undefined || perHost === undefined || perHost.has(host) || perHost.size !== 1) continue;
    const b = [...perHost.values()][0]!;
    const a = (r.dev !== null ? devOf.get(`${r.namespace}\u0000${r.dev}`) : undefined) ?? r.namespace;
    const id = crossLinkId('route', r.id, b);
    out.push({ id, kind: 'route', a, b, label: r.dst, route: r.id });
  }
  return out.sort((p, r) => (p.id < r.id ? -1 : p.id > r.id ? 1 : 0));
}
