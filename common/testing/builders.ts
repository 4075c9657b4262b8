/** Builders of model entities for unit tests (client, server and common tests share them). */
import { ifId, nsId, routeId } from '../ids.js';
import type { Interface, Namespace, Route } from '../model.js';

export function ns(inode: number, kind: Namespace['kind'], name: string): Namespace {
  return {
    id: nsId(inode),
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

/** A named namespace as `ip netns add NAME` leaves it: mounted at /run/netns/NAME, no process. */
export function namedNs(inode: number, name: string): Namespace {
  return {
    ...ns(inode, 'named', name),
    netnsNames: [name],
    pids: [],
    processes: [],
    mounts: [`/run/netns/${name}`],
  };
}

export function iface(
  inode: number,
  ifindex: number,
  name: string,
  over: Partial<Interface> = {},
): Interface {
  return {
    id: ifId(inode, ifindex),
    namespace: nsId(inode),
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
    namespace: nsId(inode),
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
  r.id = routeId(inode, r);
  return r;
}
