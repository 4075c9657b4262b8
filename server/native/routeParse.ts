/**
 * Pure: a raw RTM_NEWROUTE dump (every family, every table) -> the routes
 * `ip -j -d route show table all root 0.0.0.0/0` (and `root ::/0`) would print, per family:
 * cached clones left out, `default` / `A/LEN` / host address as dst, names from iproute2's tables.
 */
import type { IpRoute } from '../discovery/ipParse.js';
import type { Attr } from './netlink.js';
import { attrs, attrsIn, attrTypes, forEachMessage, ntop, u32 } from './netlink.js';
import type { RouteNames } from './names.js';
import { nameOf } from './names.js';

const RTM_NEWROUTE = 24;
const RTA = { DST: 1, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, MULTIPATH: 9, TABLE: 15, VIA: 18 };
const RTM_F_CLONED = 0x200;
const ROUTE_ATTRS = attrTypes(...Object.values(RTA));

/** rtm_type names as iproute2 prints them (index = type). */
export const TYPES = [
  'none',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
];

/** print_rt_flags' order. */
const ROUTE_FLAGS: Array<[number, string]> = [
  [0x1, 'dead'],
  [0x4, 'onlink'],
  [0x2, 'pervasive'],
  [0x8, 'offload'],
  [0x40, 'trap'],
  [0x100, 'notify'],
  [0x10, 'linkdown'],
  [0x20, 'unresolved'],
  [0x4000, 'rt_offload'],
  [0x8000, 'rt_trap'],
  [0x20000000, 'rt_offload_failed'],
];

export function routeFlags(flags: number): string[] {
  return ROUTE_FLAGS.filter(([bit]) => flags & bit).map(([, name]) => name);
}

/** RTA_VIA: a 2-byte family then the address. */
function via(a: Attr): { host?: string } {
  return a.n > 2 ? { host: ntop({ b: a.b, o: a.o + 2, n: a.n - 2 }) } : {};
}

function nexthops(m: Attr, devName: (i: number) => string): NonNullable<IpRoute['nexthops']> {
  const out: NonNullable<IpRoute['nexthops']> = [];
  // struct rtnexthop { u16 len; u8 flags; u8 hops; s32 ifindex; } then attributes.
  const b = m.b;
  const end = m.o + m.n;
  let off = m.o;
  while (off + 8 <= end) {
    const len = b.readUInt16LE(off);
    if (len < 8 || off + len > end) break;
    const a = attrs({ b, o: off + 8, n: len - 8 });
    const hop: NonNullable<IpRoute['nexthops']>[number] = { dev: devName(b.readInt32LE(off + 4)) };
    {
      const v = a[RTA.GATEWAY];
      if (v) hop.gateway = ntop(v);
    }
    out.push(hop);
    off += (len + 3) & ~3;
  }
  return out;
}

export interface RoutesByFamily {
  inet: IpRoute[];
  inet6: IpRoute[];
}

/** `devName` names an ifindex in this namespace (`ifN` when unknown, `*` for 0) as ip does. */
export function parseRouteDump(
  routes: Buffer,
  names: RouteNames,
  devName: (index: number) => string,
): RoutesByFamily {
  const out: RoutesByFamily = { inet: [], inet6: [] };
  forEachMessage(routes, (msgType, o, n) => {
    if (msgType !== RTM_NEWROUTE || n < 12) return;
    const family = routes[o]!;
    if (family !== 2 && family !== 10) return;
    const flags = routes.readUInt32LE(o + 8);
    if (flags & RTM_F_CLONED) return;
    const dstLen = routes[o + 1]!;
    const a = attrsIn(routes, o + 12, o + n, ROUTE_ATTRS);
    const hostLen = family === 2 ? 32 : 128;
    const dst = a[RTA.DST];
    const type = routes[o + 7]!;
    const r: IpRoute = {
      type: TYPES[type] ?? String(type),
      dst: dst
        ? dstLen !== hostLen
          ? `${ntop(dst)}/${dstLen}`
          : ntop(dst)
        : dstLen
          ? `0/${dstLen}`
          : 'default',
      table: nameOf(names.table, u32(a[RTA.TABLE]) ?? routes[o + 4]!),
      protocol: nameOf(names.protocol, routes[o + 5]!),
      scope: nameOf(names.scope, routes[o + 6]!),
      flags: routeFlags(flags),
    };
    {
      const v = a[RTA.GATEWAY];
      if (v) r.gateway = ntop(v);
    }
    {
      const v = a[RTA.VIA];
      if (v) r.via = via(v);
    }
    const oif = u32(a[RTA.OIF]);
    if (oif !== undefined) r.dev = devName(oif);
    const metric = u32(a[RTA.PRIORITY]);
    if (metric !== undefined) r.metric = metric;
    {
      const v = a[RTA.PREFSRC];
      if (v) r.prefsrc = ntop(v);
    }
    {
      const v = a[RTA.MULTIPATH];
      if (v) r.nexthops = nexthops(v, devName);
    }
    (family === 2 ? out.inet : out.inet6).push(r);
  });
  return out;
}
