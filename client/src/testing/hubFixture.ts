/**
 * Hub-shaped topologies for unit tests: members with one veth eth0 whose peer is a port of a
 * bridge in one hub namespace (docker0 with a veth per container), optionally a second bridge and
 * a router namespace between the two, and a chain hanging off the host.
 */
import { vethLinkId } from '../../../common/ids.js';
import type { Interface, Link, Namespace, Topology } from '../../../common/model.js';
import { normalizeTopology } from '../../../common/model.js';
import { iface, ns } from '../../../common/testing/builders.js';

export const HUB_INODE = 2;
export const HUB_NS = 'ns-2';
export const BR0 = 'if-2-2';
export const BR1 = 'if-2-3';
/** Member k's namespace inode (its eth0 is ifindex 2). */
export const memberInode = (k: number): number => 1000 + k;

export interface HubOptions {
  /** Members on a second bridge br1. */
  second?: number;
  /** A router namespace with one leg on each bridge. */
  router?: boolean;
}

export function hubTopology(members: number, opts: HubOptions = {}): Topology {
  const namespaces: Namespace[] = [ns(1, 'host', 'host'), ns(HUB_INODE, 'named', 'hub')];
  const interfaces: Interface[] = [
    iface(HUB_INODE, 2, 'br0', { kind: 'bridge' }),
    iface(HUB_INODE, 3, 'br1', { kind: 'bridge' }),
  ];
  const links: Link[] = [];
  let port = 100;
  const leg = (inode: number, ifindex: number, name: string, bridge: string) => {
    const p = port++;
    const a = iface(inode, ifindex, name, { peer: `if-${HUB_INODE}-${p}` });
    const b = iface(HUB_INODE, p, `h${p}`, { master: bridge, peer: a.id });
    interfaces.push(a, b);
    links.push({ id: vethLinkId(a.id, b.id), kind: 'veth', a: a.id, b: b.id });
  };
  const total = members + (opts.second ?? 0);
  for (let k = 0; k < total; k++) {
    namespaces.push(ns(memberInode(k), 'named', `m${k}`));
    leg(memberInode(k), 2, 'eth0', k < members ? BR0 : BR1);
  }
  if (opts.router) {
    namespaces.push(ns(900, 'named', 'router'));
    leg(900, 2, 'left', BR0);
    leg(900, 3, 'right', BR1);
  }
  return normalizeTopology({ version: 1, namespaces, interfaces, routes: [], links });
}
