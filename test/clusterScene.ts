/**
 * A recorded-style three-node scene for the cluster unit tests: every node has the same inodes
 * and ifindexes (as fresh nodes do), an underlay eth0 10.77.0.N/24, a vxlan vx0 (VNI 42) meshed to
 * the other nodes, a pod namespace behind a veth and a route to each other node's pod CIDR via that
 * node's underlay address.
 */
import type { VxlanFact } from '../common/cluster.js';
import { ifId, nsId, vethLinkId } from '../common/ids.js';
import { normalizeTopology } from '../common/model.js';
import type { Topology } from '../common/model.js';
import { iface, ns, route } from '../common/testing/builders.js';

export const HOSTS = ['node-a', 'node-b', 'node-c'] as const;
const HOST_INODE = 4026531840;
const POD_INODE = 4026532000;

export function underlay(n: number): string {
  return `10.77.0.${n + 1}`;
}

export function nodeTopology(n: number): Topology {
  const others = [0, 1, 2].filter((o) => o !== n);
  const eth0 = iface(HOST_INODE, 2, 'eth0', {
    kind: 'veth',
    addresses: [{ family: 'inet', cidr: `${underlay(n)}/24`, scope: 'global', broadcast: null }],
  });
  const vx0 = iface(HOST_INODE, 3, 'vx0', { kind: 'vxlan' });
  const hostSide = iface(HOST_INODE, 4, 'pod0h', {
    peer: ifId(POD_INODE, 2),
    addresses: [{ family: 'inet', cidr: `10.244.${n}.1/24`, scope: 'global', broadcast: null }],
  });
  const podSide = iface(POD_INODE, 2, 'eth0', {
    peer: ifId(HOST_INODE, 4),
    addresses: [{ family: 'inet', cidr: `10.244.${n}.2/24`, scope: 'global', broadcast: null }],
  });
  return normalizeTopology({
    version: 1,
    namespaces: [ns(HOST_INODE, 'host', 'host'), ns(POD_INODE, 'named', 'pod0')],
    interfaces: [eth0, vx0, hostSide, podSide],
    routes: [
      ...others.map((o) => route(HOST_INODE, { dst: `10.244.${o}.0/24`, gateway: underlay(o), dev: 'eth0' })),
      // the pod's gateway is on its own node: no edge
      route(POD_INODE, { dst: 'default', gateway: `10.244.${n}.1`, dev: 'eth0' }),
    ],
    links: [{ id: vethLinkId(hostSide.id, podSide.id), kind: 'veth', a: hostSide.id, b: podSide.id }],
  });
}

export function nodeVxlan(n: number): VxlanFact[] {
  return [
    {
      interface: ifId(HOST_INODE, 3),
      vni: 42,
      local: underlay(n),
      remotes: [0, 1, 2].filter((o) => o !== n).map(underlay),
      dstport: 4789,
    },
  ];
}

export const HOST_NS = nsId(HOST_INODE);
