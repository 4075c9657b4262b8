/** Builders of model entities for unit tests (client, server and common tests share them). */
import type { Interface, Namespace, Route } from '../model.js';

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
