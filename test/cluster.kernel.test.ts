/**
 * Hub mode with real processes and simulated nodes (test/clusterNodes.ts): three nodes, each its
 * own network+mount+PID namespace with pods, a VXLAN mesh and routed pod CIDRs; an agent inside
 * each node and a hub outside. The hub's model must be the union of the agents' models (each
 * checked against `ip -j` in its node), with the overlay and the node routes as edges; a killed
 * agent leaves its node stale, a restarted one converges.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterView } from '../common/cluster.js';
import { qualifyTopology, unionTopologies } from '../common/cluster.js';
import { jsonEqual } from '../common/delta.js';
import { parseQualifiedId } from '../common/ids.js';
import type { Topology } from '../common/model.js';
import { pollUntil, uniquePrefix } from './kernel.js';
import { buildCluster, inNode, podScript, startAgent, startHubCli, stopAgent } from './clusterNodes.js';
import type { SimCluster, SimNode } from './clusterNodes.js';

const token = randomBytes(24).toString('base64url');
const agentToken = randomBytes(24).toString('base64url');
let cluster: SimCluster;
let hub: { origin: string; stderr: string[] };

async function getJson<T>(url: string, bearer: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${bearer}` } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

function modelOf(t: Topology): Topology {
  const { version, namespaces, interfaces, routes, links } = t;
  return { version, namespaces, interfaces, routes, links };
}

/** The union of the agents' own models, qualified as the hub should have it. */
async function agentsUnion(nodes: SimNode[]): Promise<Topology> {
  const parts = await Promise.all(
    nodes.map(async (n) =>
      qualifyTopology(n.name, modelOf(await getJson<Topology>(`${n.agentUrl}/api/topology`, agentToken))),
    ),
  );
  return unionTopologies(parts);
}

/** Polls until the hub's model equals the union of the agents' (processes come and go in nodes). */
async function hubEqualsAgents(nodes: SimNode[]): Promise<Topology> {
  const found = await pollUntil(
    async () => {
      const union = await agentsUnion(nodes);
      const mine = modelOf(await getJson<Topology>(`${hub.origin}/api/topology`, token));
      return jsonEqual(mine, union) ? mine : null;
    },
    'hub model == union of the agents',
    30_000,
  );
  return found!;
}

const view = () => getJson<ClusterView>(`${hub.origin}/api/cluster`, token);

beforeAll(async () => {
  cluster = await buildCluster(uniquePrefix('cl'));
  await Promise.all(cluster.nodes.map((n) => startAgent(n, agentToken)));
  hub = await startHubCli(
    cluster.nodes.map((n) => n.agentUrl),
    token,
    agentToken,
  );
}, 420_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('hub over three simulated nodes', () => {
  it('the hub model is the union of the agents, and each agent matches ip -j in its node', async () => {
    const merged = await hubEqualsAgents(cluster.nodes);
    for (const node of cluster.nodes) {
      const mine = merged.namespaces.filter((n) => parseQualifiedId(n.id)?.host === node.name);
      for (const pod of ['pod1', 'pod2']) {
        const ns = mine.find((n) => n.netnsNames.includes(pod));
        expect(ns, `${node.name} ${pod}`).toBeDefined();
        const kernel = JSON.parse(await inNode(node, `ip -j -n ${pod} addr show dev eth0`)) as Array<{
          addr_info: Array<{ family: string; local: string; prefixlen: number }>;
        }>;
        const want = kernel[0]!.addr_info
          .filter((a) => a.family === 'inet')
          .map((a) => `${a.local}/${a.prefixlen}`);
        const eth0 = merged.interfaces.find((i) => i.namespace === ns!.id && i.name === 'eth0');
        expect(eth0?.addresses.filter((a) => a.family === 'inet').map((a) => a.cidr)).toEqual(want);
      }
      // the node's own namespace (its "host") holds its underlay address
      const host = mine.find((n) => n.kind === 'host');
      const underlay = merged.interfaces.find((i) => i.namespace === host?.id && i.name === 'eth0');
      expect(underlay?.addresses.map((a) => a.cidr)).toContain(`${node.underlayIp}/24`);
    }
    expect(merged.namespaces.filter((n) => n.kind === 'host')).toHaveLength(3);
  });

  it('draws the VXLAN mesh and the pod-CIDR routes between the nodes', async () => {
    const v = (await pollUntil(async () => {
      const x = await view();
      return x.links.filter((l) => l.kind === 'vxlan').length === 3 ? x : null;
    }, 'three vxlan edges'))!;
    const topo = modelOf(await getJson<Topology>(`${hub.origin}/api/topology`, token));
    const name = (id: string) => topo.interfaces.find((i) => i.id === id)?.name;
    for (const l of v.links.filter((x) => x.kind === 'vxlan')) {
      expect([name(l.a), name(l.b)]).toEqual(['vx0', 'vx0']);
      expect(parseQualifiedId(l.a)!.host).not.toBe(parseQualifiedId(l.b)!.host);
    }
    const routes = v.links.filter((l) => l.kind === 'route');
    for (const from of cluster.nodes)
      for (const to of cluster.nodes.filter((n) => n !== from)) {
        const r = routes.find((x) => parseQualifiedId(x.a)?.host === from.name && x.label === to.podCidr);
        expect(r, `${from.name} -> ${to.podCidr}`).toBeDefined();
        expect(parseQualifiedId(r!.b)!.host).toBe(to.name);
        expect(name(r!.b)).toBe('eth0');
      }
    expect(routes).toHaveLength(6);
  });

  it('the side panel views on the hub are the node agent answers', async () => {
    const node = cluster.nodes[0]!;
    const local = await getJson<Topology>(`${node.agentUrl}/api/topology`, agentToken);
    const pod = local.namespaces.find((n) => n.netnsNames.includes('pod1'))!;
    const viaHub = await fetch(
      `${hub.origin}/api/namespaces/${encodeURIComponent(`${node.name}/${pod.id}`)}/sockets`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(viaHub.status).toBe(200);
    const direct = await getJson<unknown>(`${node.agentUrl}/api/namespaces/${pod.id}/sockets`, agentToken);
    expect(await viaHub.json()).toEqual(direct);
    const bare = await fetch(`${hub.origin}/api/namespaces/${pod.id}/sockets`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bare.status).toBe(400);
  });

  it('a change in one node reaches the hub', async () => {
    const node = cluster.nodes[1]!;
    await inNode(node, 'ip link add dev extra0 type bridge');
    await pollUntil(async () => {
      const t = await getJson<Topology>(`${hub.origin}/api/topology`, token);
      return t.interfaces.some((i) => i.name === 'extra0' && i.id.startsWith(`${node.name}/`));
    }, 'extra0 on the hub');
    await hubEqualsAgents(cluster.nodes);
  });

  it('a killed agent leaves its node stale; restarted, it converges without duplicates', async () => {
    const node = cluster.nodes[2]!;
    const before = modelOf(await getJson<Topology>(`${hub.origin}/api/topology`, token));
    await stopAgent(node);
    const stale = (await pollUntil(async () => {
      const n = (await view()).nodes.find((x) => x.host === node.name);
      return n?.state === 'stale' ? n : null;
    }, 'node stale'))!;
    expect(stale.lastSeen).not.toBeNull();
    const kept = modelOf(await getJson<Topology>(`${hub.origin}/api/topology`, token));
    const ofNode = (t: Topology) =>
      t.namespaces.filter((n) => n.id.startsWith(`${node.name}/`)).map((n) => n.id);
    expect(ofNode(kept)).toEqual(ofNode(before));

    // The node changes while nobody watches it: a new pod appears.
    const a = Number(node.podCidr.split('.')[1]);
    await inNode(node, podScript(node.index, 3, a).join('\n'));
    await startAgent(node, agentToken);
    await pollUntil(
      async () => (await view()).nodes.find((x) => x.host === node.name)?.state === 'live',
      'node live',
    );
    const merged = await hubEqualsAgents(cluster.nodes);
    expect(
      merged.namespaces.some((n) => n.id.startsWith(`${node.name}/`) && n.netnsNames.includes('pod3')),
    ).toBe(true);
    for (const key of ['namespaces', 'interfaces', 'routes', 'links'] as const) {
      const ids = merged[key].map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
