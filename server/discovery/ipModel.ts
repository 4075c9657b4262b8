/**
 * Pure: links and routes as `ip -j` prints them (validated JSON from the ip reader, or built from
 * raw dumps by the native reader) -> the model's interfaces and routes, plus the raw veth/lower
 * pointers peer resolution needs. Kept apart from ipParse.ts's schemas so that the native reader
 * (and the `snapshot` command) does not load zod.
 */
import type { Address, AddressFamily, Interface, Route } from '../../common/model.js';
import { ifId, nsId, routeId } from '../../common/ids.js';
import type { IpLink, IpRoute } from './ipParse.js';

/** A veth/lower pointer as ip prints it, before namespaces are resolved. */
export interface RawPointer {
  /** ifindex of the other end, when printed. */
  index: number | null;
  /** Name of the other end when it is in the same namespace (ip prints `"link": "NAME"`). */
  name: string | null;
  /** nsid local to the reading namespace; null = same namespace. */
  nsid: number | null;
}

export interface ParsedLink {
  iface: Interface;
  /** veth: pointer to the peer; macvlan/vxlan/...: pointer to the lower device. */
  pointer: RawPointer | null;
  masterName: string | null;
}

export interface NamespaceRead {
  links: ParsedLink[];
  routes: Route[];
  /** nsid as seen from this namespace -> namespace inode, or null when it could not be read. */
  nsids: Map<number, number> | null;
}

export function interfaceKind(l: IpLink): string {
  const k = l.linkinfo?.info_kind;
  if (k === 'tun') return l.linkinfo?.info_data?.type === 'tap' ? 'tap' : 'tun';
  if (k) return k;
  if (l.link_type === 'loopback') return 'loopback';
  if (l.link_type === 'ether' || l.link_type === undefined) return 'device';
  return l.link_type;
}

function addressOf(a: IpLink['addr_info'][number]): Address | null {
  if ((a.family !== 'inet' && a.family !== 'inet6') || !a.local || a.prefixlen === undefined) return null;
  return {
    family: a.family,
    cidr: `${a.local}/${a.prefixlen}`,
    scope: a.scope ?? 'global',
    broadcast: a.broadcast ?? null,
  };
}

function pointerOf(l: IpLink, kind: string): RawPointer | null {
  if (kind === 'veth') {
    return {
      index: l.link_index ?? null,
      name: l.link ?? null,
      nsid: l.link_netnsid ?? null,
    };
  }
  // Stacked devices (macvlan, vxlan, ...): ip prints the lower as `link` (same namespace) or
  // link_index + link_netnsid; vxlan's lower is in info_data.
  const d = l.linkinfo?.info_data;
  if (d?.link !== undefined || d?.link_index !== undefined) {
    return { index: d.link_index ?? null, name: d.link ?? null, nsid: d.link_netnsid ?? null };
  }
  if (l.link !== undefined || l.link_index !== undefined) {
    return { index: l.link_index ?? null, name: l.link ?? null, nsid: l.link_netnsid ?? null };
  }
  return null;
}

/** The model's links from links as ip prints them (parsed JSON, or built by the native reader). */
export function linksFromIp(nsInode: number, links: readonly IpLink[]): ParsedLink[] {
  return links.map((l) => {
    const kind = interfaceKind(l);
    const iface: Interface = {
      id: ifId(nsInode, l.ifindex),
      namespace: nsId(nsInode),
      ifindex: l.ifindex,
      name: l.ifname,
      kind,
      state: l.operstate,
      flags: l.flags,
      mtu: l.mtu,
      mac: l.address && l.link_type !== 'none' ? l.address : null,
      addresses: l.addr_info.map(addressOf).filter((a): a is Address => a !== null),
      master: null,
      peer: null,
      peerUnresolved: null,
      lower: null,
      alias: l.ifalias ?? null,
      bridgePortState:
        l.linkinfo?.info_slave_kind === 'bridge' ? (l.linkinfo.info_slave_data?.state ?? null) : null,
    };
    return { iface, pointer: pointerOf(l, kind), masterName: l.master ?? null };
  });
}

/** The model's routes from routes as ip prints them (parsed JSON, or built by the native reader). */
export function routesFromIp(nsInode: number, family: AddressFamily, routes: readonly IpRoute[]): Route[] {
  const seen = new Map<string, number>();
  const namespace = nsId(nsInode);
  return routes.map((r) => {
    // Multipath routes carry their gateways in `nexthops`; the model keeps the first one.
    const hop = r.nexthops?.[0];
    // One object per route, id first (as JSON prints it), filled in once the ordinal is known.
    const route: Route = {
      id: '',
      namespace,
      family,
      table: r.table ?? 'main',
      type: r.type ?? 'unicast',
      dst: r.dst,
      gateway: r.gateway ?? r.via?.host ?? hop?.gateway ?? null,
      dev: r.dev ?? hop?.dev ?? null,
      protocol: r.protocol ?? null,
      scope: r.scope ?? null,
      metric: r.metric ?? null,
      prefsrc: r.prefsrc ?? null,
      flags: r.flags,
    };
    // Routes differing only in attributes outside the id (tos, pref...) get a stable ordinal.
    const key = routeId(nsInode, route);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    route.id = n > 1 ? routeId(nsInode, route, n) : key;
    return route;
  });
}
