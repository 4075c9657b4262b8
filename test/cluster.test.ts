/** Hub mode: host-qualified ids, the union of agents' models, stale nodes, convergence (pure). */
import { describe, expect, it } from 'vitest';
import { qualifyOps, qualifyTopology, unionTopologies } from '../common/cluster.js';
import { applyDelta, diffTopology } from '../common/delta.js';
import { crossLinkId, nsId, parseNsId, parseQualifiedId, qualifiedId } from '../common/ids.js';
import { emptyTopology } from '../common/model.js';
import type { Topology } from '../common/model.js';
import type { DeltaOp } from '../common/protocol.js';
import { iface } from '../common/testing/builders.js';
import { ClusterModel } from '../server/cluster/clusterModel.js';
import { HOSTS, HOST_NS, nodeTopology, nodeVxlan } from './clusterScene.js';

/** A stand-in for the live Hub: applies what it is given and counts deltas and status lines. */
function fakeHub() {
  const sink = {
    state: { topology: emptyTopology() },
    deltas: [] as DeltaOp[][],
    errors: [] as string[],
    publish(ops: readonly DeltaOp[], next: Topology) {
      sink.deltas.push([...ops]);
      sink.state.topology = next;
    },
    setErrors(e: readonly string[]) {
      sink.errors = [...e];
    },
  };
  return sink;
}

const URLS = ['http://10.77.0.1:7879', 'http://10.77.0.2:7879', 'http://10.77.0.3:7879'];

function allIds(t: Topology): string[] {
  return [...t.namespaces, ...t.interfaces, ...t.routes, ...t.links].map((e) => e.id);
}

describe('host-qualified ids', () => {
  it('round-trip and keep single-host ids untouched', () => {
    expect(qualifiedId('node-a', nsId(7))).toBe('node-a/ns-7');
    expect(parseQualifiedId('node-a/ns-7')).toEqual({ host: 'node-a', local: 'ns-7' });
    expect(parseQualifiedId('ns-7')).toBeNull();
    expect(parseNsId('node-a/ns-7')).toBeNull();
    expect(parseNsId('ns-7')).toBe(7);
    expect(() => qualifiedId('Node/A', 'ns-7')).toThrow(/host name/);
    expect(crossLinkId('vxlan', 'b/if-1-3', 'a/if-1-3')).toBe(crossLinkId('vxlan', 'a/if-1-3', 'b/if-1-3'));
  });

  it('qualify every id and reference, nothing left bare', () => {
    const q = qualifyTopology('node-a', nodeTopology(0));
    for (const id of allIds(q)) expect(id.startsWith('node-a/')).toBe(true);
    for (const i of q.interfaces) {
      expect(i.namespace.startsWith('node-a/')).toBe(true);
      if (i.peer !== null) expect(q.interfaces.some((p) => p.id === i.peer)).toBe(true);
    }
    for (const l of q.links) expect([l.a, l.b].every((e) => q.interfaces.some((i) => i.id === e))).toBe(true);
  });

  it('every qualified entity carries its host; a single-host model has no host field at all', () => {
    const single = nodeTopology(0);
    const q = qualifyTopology('node-a', single);
    for (const key of ['namespaces', 'interfaces', 'routes', 'links'] as const) {
      expect(q[key].length).toBeGreaterThan(0);
      for (const e of q[key]) expect(e.host).toBe('node-a');
      for (const e of single[key]) expect('host' in e).toBe(false);
    }
    const op = qualifyOps('node-a', [{ op: 'put', entity: 'namespace', value: single.namespaces[0]! }])[0]!;
    expect(op.op === 'put' && op.value.host).toBe('node-a');
  });

  it('a qualified delta replays to the qualified next model', () => {
    const before = nodeTopology(1);
    const after = { ...before, interfaces: [...before.interfaces, iface(4026532000, 9, 'eth9')] };
    const ops = diffTopology(before, after)!;
    expect(applyDelta(qualifyTopology('node-b', before), qualifyOps('node-b', ops))).toEqual(
      qualifyTopology('node-b', after),
    );
  });
});

describe('ClusterModel', () => {
  function threeNodes() {
    const hub = fakeHub();
    let t = 0;
    const model = new ClusterModel(hub, URLS, () => new Date(Date.UTC(2026, 11, 4, 9, 0, t++)));
    URLS.forEach((u, n) => {
      model.identify(u, HOSTS[n]!);
      model.snapshot(u, nodeTopology(n));
      model.overlay(u, nodeVxlan(n));
    });
    return { hub, model };
  }

  it('the hub model is the union of the agents, host-qualified, same inodes on every node', () => {
    const { hub } = threeNodes();
    const union = unionTopologies(HOSTS.map((h, n) => qualifyTopology(h, nodeTopology(n))));
    expect(hub.state.topology).toEqual(union);
    expect(hub.state.topology.namespaces).toHaveLength(6);
    expect(new Set(allIds(hub.state.topology)).size).toBe(allIds(hub.state.topology).length);
  });

  it('deltas are qualified and published once each', () => {
    const { hub, model } = threeNodes();
    const before = hub.deltas.length;
    const put: DeltaOp = { op: 'put', entity: 'interface', value: iface(4026532000, 9, 'eth9') };
    model.delta(URLS[2]!, [put]);
    expect(hub.deltas.length).toBe(before + 1);
    expect(hub.deltas.at(-1)![0]).toMatchObject({ op: 'put', value: { id: 'node-c/if-4026532000-9' } });
    model.delta(URLS[2]!, [{ op: 'remove', entity: 'interface', id: 'if-4026532000-9' }]);
    expect(hub.state.topology.interfaces.some((i) => i.id.includes('-9'))).toBe(false);
  });

  it('an agent that goes away leaves its node stale with its entities; its return converges', () => {
    const { hub, model } = threeNodes();
    const full = hub.state.topology;
    model.down(URLS[1]!, 'connection closed (1006)');
    const node = model.view().nodes.find((n) => n.host === 'node-b')!;
    expect(node.state).toBe('stale');
    expect(node.lastSeen).toMatch(/^2026-12-04T09:00:/);
    expect(hub.errors.join('\n')).toMatch(/node node-b: stale since 2026-12-04T09:00:/);
    expect(hub.state.topology).toBe(full);

    // Back with one pod gone and one new: exactly those two differences, nothing duplicated.
    const next = nodeTopology(1);
    const changed: Topology = {
      ...next,
      interfaces: [...next.interfaces.filter((i) => i.name !== 'pod0h'), iface(4026531840, 7, 'new0')],
      links: [],
    };
    model.identify(URLS[1]!, 'node-b');
    model.snapshot(URLS[1]!, changed);
    expect(model.view().nodes.find((n) => n.host === 'node-b')!.state).toBe('live');
    expect(hub.errors).toEqual([]);
    const expected = unionTopologies([
      qualifyTopology('node-a', nodeTopology(0)),
      qualifyTopology('node-b', changed),
      qualifyTopology('node-c', nodeTopology(2)),
    ]);
    expect(hub.state.topology).toEqual(expected);
    // A snapshot identical to what the hub holds publishes nothing.
    const count = hub.deltas.length;
    model.snapshot(URLS[1]!, changed);
    expect(hub.deltas.length).toBe(count);
  });

  it('refuses a second agent claiming a host name already served', () => {
    const { model } = threeNodes();
    model.addAgent('http://10.77.0.9:7879');
    expect(() => model.identify('http://10.77.0.9:7879', 'node-a')).toThrow(/already served/);
  });

  it('cross-node edges appear in the view: a vxlan mesh and the pod-CIDR routes', () => {
    const { model } = threeNodes();
    const links = model.view().links;
    expect(links.filter((l) => l.kind === 'vxlan')).toHaveLength(3);
    const routes = links.filter((l) => l.kind === 'route');
    expect(routes).toHaveLength(6);
    expect(routes.find((r) => r.a === `node-a/if-4026531840-2` && r.label === '10.244.1.0/24')?.b).toBe(
      'node-b/if-4026531840-2',
    );
    expect(HOST_NS).toBe('ns-4026531840');
  });
});
