/**
 * Unit tests over scenes recorded from the real kernel with __fixtures__/record.ts: the demo lab
 * (`netns-explorer lab up`, process mode: a host bridge with two veth ports, a veth to an nginx
 * namespace) and a bridge with macvlan and vxlan devices (a macvlan moved to another namespace
 * than its lower device's).
 */
import { describe, expect, it } from 'vitest';
import { nsId } from '../../common/ids.js';
import type { Interface, Topology } from '../../common/model.js';
import type { RecordedFixture } from './testing/recordedScene.js';
import { loadFixture, recordedScene } from './testing/recordedScene.js';

function scene(file: string): { fixture: RecordedFixture; topology: Topology; errors: string[] } {
  const fixture = loadFixture(file);
  return { fixture, ...recordedScene(fixture) };
}

/** The interface called `name` in namespace `ns` (an id); throws when there is none. */
function finder(t: Topology) {
  return (name: string, ns: string): Interface => {
    const i = t.interfaces.find((x) => x.name === name && x.namespace === ns);
    if (!i) throw new Error(`${name} in ${ns}`);
    return i;
  };
}

describe('the demo lab, recorded', () => {
  const { fixture, topology, errors } = scene('lab.json');
  const host = nsId(fixture.hostInode);
  const get = finder(topology);
  const holding = (ifname: string) =>
    topology.interfaces.find((i) => i.name === ifname && i.namespace !== host)!;

  it('reads four namespaces without errors or unresolved peers', () => {
    expect(errors).toEqual([]);
    expect(topology.namespaces).toHaveLength(4);
    expect(topology.interfaces.filter((i) => i.peerUnresolved !== null)).toEqual([]);
  });

  it('shows the host bridge with its two ports, each the peer of a container eth0', () => {
    const br = get('nxlab-br0', host);
    expect(br.kind).toBe('bridge');
    for (const port of ['nxlab-veth-a', 'nxlab-veth-b']) {
      const p = get(port, host);
      expect(p.master).toBe(br.id);
      const peer = topology.interfaces.find((i) => i.id === p.peer)!;
      expect(peer.name).toBe('eth0');
      expect(peer.namespace).not.toBe(host);
      expect(peer.peer).toBe(p.id);
    }
    expect(topology.links).toHaveLength(3);
  });

  it('pairs the nginx veth across namespaces and keeps the container routes', () => {
    const cont = holding('veth-cont');
    expect(get('nxlab-vhost', host).peer).toBe(cont.id);
    expect(cont.addresses.map((a) => a.cidr)).toContain('10.251.18.101/24');
    const defaults = topology.routes.filter((r) => r.dst === 'default' && r.namespace !== host);
    expect(defaults.map((r) => r.gateway).sort()).toEqual(['10.251.17.1', '10.251.17.1']);
  });
});

describe('a bridge with macvlan and vxlan, recorded', () => {
  const { fixture, topology, errors } = scene('bridge-macvlan-vxlan.json');
  const get = finder(topology);
  const named = (suffix: string) => {
    const [ino] = Object.entries(fixture.namespaces).find(([, v]) => v.names[0]!.endsWith(suffix))!;
    return nsId(Number(ino));
  };
  const [a, b, c] = [named('a'), named('b'), named('c')];

  it('reads three namespaces without errors', () => {
    expect(errors).toEqual([]);
    expect(topology.namespaces.map((n) => n.kind)).toEqual(['named', 'named', 'named']);
  });

  it('enslaves the veth ports and the vxlan to the bridge', () => {
    const br = get('br0', a);
    expect(br.kind).toBe('bridge');
    for (const port of ['pb', 'pc', 'vx0']) expect(get(port, a).master).toBe(br.id);
    expect(get('vx0', a).kind).toBe('vxlan');
    expect(get('pb', a).peer).toBe(get('eth0', b).id);
    expect(get('pc', a).peer).toBe(get('eth0', c).id);
    expect(get('trunk', b).peer).toBe(get('trunk', a).id);
  });

  it('finds a macvlan lower device in its own namespace and across namespaces', () => {
    const trunk = get('trunk', a);
    expect(get('mv0', a)).toMatchObject({ kind: 'macvlan', lower: trunk.id });
    expect(get('mvc', c)).toMatchObject({ kind: 'macvlan', lower: trunk.id });
    expect(get('mvc', c).addresses.map((x) => x.cidr)).toContain('10.78.0.3/24');
  });

  it('keeps routes with their gateway and metric', () => {
    const inC = topology.routes.find((r) => r.namespace === c && r.dst === '10.88.0.0/16')!;
    expect(inC).toMatchObject({ gateway: '10.77.0.1', metric: 50, dev: 'eth0' });
    const inB = topology.routes.find((r) => r.namespace === b && r.dst === 'default')!;
    expect(inB.gateway).toBe('10.77.0.1');
  });
});
