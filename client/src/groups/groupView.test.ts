import { describe, expect, it } from 'vitest';
import type { ContainerGroup, Interface, Namespace, Topology } from '../../../common/model.js';
import { groupFrames, groupNamespaceIds, groupView, orderByGroup } from './groupView.js';

const ns = (id: string, group: ContainerGroup | null): Namespace => ({
  id,
  inode: 1,
  kind: group ? 'container' : 'host',
  name: id,
  netnsNames: [],
  pids: [],
  processes: [],
  containers: group
    ? [{ runtime: 'docker', id: `c-${id}`, name: id, image: null, pod: null, group, sharedNamespace: false }]
    : [],
  mounts: [],
  error: null,
});

const iface = (id: string, namespace: string): Interface => ({
  id,
  namespace,
  ifindex: 1,
  name: id,
  kind: 'veth',
  state: 'UP',
  flags: [],
  mtu: 1500,
  mac: null,
  addresses: [],
  master: null,
  peer: null,
  peerUnresolved: null,
  lower: null,
  alias: null,
  bridgePortState: null,
});

const shop = { kind: 'compose' as const, name: 'shop' };
const prod = { kind: 'kubernetes' as const, name: 'prod' };
// host <-veth-> web (shop); db (shop) and api (prod) unconnected; other ungrouped.
const t: Topology = {
  version: 1,
  namespaces: [ns('api', prod), ns('db', shop), ns('host', null), ns('other', null), ns('web', shop)],
  interfaces: [iface('h0', 'host'), iface('w0', 'web'), iface('a0', 'api'), iface('o0', 'other')],
  routes: [],
  links: [
    { id: 'veth:h0:w0', kind: 'veth', a: 'h0', b: 'w0' },
    { id: 'veth:a0:o0', kind: 'veth', a: 'a0', b: 'o0' },
  ],
};

describe('group view', () => {
  it('keeps a group and the namespaces its veths lead to, nothing else', () => {
    expect([...groupNamespaceIds(t, 'compose shop')].sort()).toEqual(['db', 'host', 'web']);
    const v = groupView(t, 'compose shop');
    expect(v.namespaces.map((n) => n.id)).toEqual(['host', 'db', 'web']);
    expect(v.interfaces.map((i) => i.id)).toEqual(['h0', 'w0']);
    expect(v.links.map((l) => l.id)).toEqual(['veth:h0:w0']);
  });

  it('shows everything, each group in one run, when no group is picked', () => {
    expect(groupView(t, null).namespaces.map((n) => n.id)).toEqual(['host', 'other', 'db', 'web', 'api']);
    expect(orderByGroup([]).length).toBe(0);
  });

  it('frames a group only where the frame holds no other box', () => {
    const box = (x: number, group: string | null) => ({ x, y: 0, w: 100, h: 50, group });
    const frames = groupFrames([box(0, 'compose shop'), box(120, 'compose shop'), box(400, 'k8s ns prod')]);
    expect(frames.map((f) => [f.group, f.members, f.x, f.w])).toEqual([
      ['compose shop', 2, -14, 248],
      ['k8s ns prod', 1, 386, 128],
    ]);
    // An ungrouped box between two members: that group gets no frame.
    expect(groupFrames([box(0, 'compose shop'), box(120, null), box(240, 'compose shop')])).toEqual([]);
  });
});
