/** A small Figure 1 topology for unit tests: host with a bridge and two veth ports, two containers. */
import type { Interface, Namespace, Route, Topology } from '../../../common/model.js';
import { normalizeTopology, vethLinkId } from '../../../common/model.js';

export function ns(inode: number, kind: Namespace['kind'], name: string): Namespace {
  return {
    id: `ns-${inode}`,
    inode,
    kind,
    name,
    netnsNames: [],
    pids: [inode],
    processes: [{ pid: inode, command: 'sleep' }],
    containers: [],
    mounts: [],
    error: null,
  };
}

export function iface(
  inode: number,
  ifindex: number,
  name: string,
  over: Partial<Interface> = {},
): Interface {
  return {
    id: `if-${inode}-${ifindex}`,
    namespace: `ns-${inode}`,
    ifindex,
    name,
    kind: 'veth',
    state: 'UP',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    mac: '02:42:ac:11:00:04',
    addresses: [],
    master: null,
    peer: null,
    peerUnresolved: null,
    lower: null,
    alias: null,
    bridgePortState: null,
    ...over,
  };
}

export function route(inode: number, over: Partial<Route> & { dst: string }): Route {
  const r: Route = {
    id: '',
    namespace: `ns-${inode}`,
    family: 'inet',
    table: 'main',
    type: 'unicast',
    gateway: null,
    dev: 'eth0',
    protocol: null,
    scope: null,
    metric: null,
    prefsrc: null,
    flags: [],
    ...over,
  };
  r.id = `rt-${inode}:${r.family}:${r.table}:${r.type}:${r.dst}:${r.dev}:${r.gateway}:${r.metric}`;
  return r;
}

export function figure1(): Topology {
  const v4 = (cidr: string) => ({ family: 'inet' as const, cidr, scope: 'global', broadcast: null });
  const interfaces = [
    iface(1, 1, 'lo', { kind: 'loopback', state: 'UNKNOWN', flags: ['LOOPBACK', 'UP', 'LOWER_UP'] }),
    iface(1, 2, 'eth0', { kind: 'device', addresses: [v4('192.168.0.39/24')] }),
    iface(1, 3, 'docker0', { kind: 'bridge', addresses: [v4('172.17.0.1/16')] }),
    iface(1, 14, 'veth08fe05e', { master: 'if-1-3', peer: 'if-2-13' }),
    iface(1, 16, 'veth24ee3c6', { master: 'if-1-3', peer: 'if-3-15' }),
    iface(2, 13, 'eth0', { peer: 'if-1-14', addresses: [v4('172.17.0.4/16')] }),
    iface(3, 15, 'eth0', { peer: 'if-1-16', addresses: [v4('172.17.0.3/16')], state: 'DOWN', flags: [] }),
    iface(3, 20, 'veth-x', { peerUnresolved: 'peer in a namespace we cannot see' }),
  ];
  return normalizeTopology({
    version: 1,
    namespaces: [ns(1, 'host', 'host'), ns(2, 'container', 'netshoot-a'), ns(3, 'container', 'netshoot-b')],
    interfaces,
    routes: [
      route(2, { dst: 'default', gateway: '172.17.0.1' }),
      route(2, { dst: '8.8.8.8' }),
      route(2, { dst: '172.17.0.0/16', protocol: 'kernel', scope: 'link', prefsrc: '172.17.0.4' }),
    ],
    links: [
      { id: vethLinkId('if-1-14', 'if-2-13'), kind: 'veth', a: 'if-1-14', b: 'if-2-13' },
      { id: vethLinkId('if-1-16', 'if-3-15'), kind: 'veth', a: 'if-1-16', b: 'if-3-15' },
    ],
  });
}
