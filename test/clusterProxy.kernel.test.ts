/**
 * The hub serves the same API as one server, over three simulated nodes (test/clusterNodes.ts):
 * inspect and trace asked of the hub equal the node agent's own answer with ids qualified; an
 * action through the hub changes the kernel of a node whose agent has --allow-changes (checked
 * with `ip -j` inside that node) and is refused, naming the node, by a read-only one (kernel
 * unchanged); a trace from a pod on one node to a pod on another continues on the second node.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ifId, parseNsId, parseQualifiedId, qualifiedId } from '../common/ids.js';
import type { ClusterView } from '../common/cluster.js';
import type { Topology } from '../common/model.js';
import type { TraceResponse } from '../common/trace.js';
import { qualifyAnswer } from '../server/cluster/idTranslate.js';
import type { Json } from '../server/cluster/idTranslate.js';
import { pollUntil, uniquePrefix } from './kernel.js';
import { buildCluster, inNode, startAgent, startHubCli } from './clusterNodes.js';
import { everyNodeOnHub } from './clusterHub.js';
import type { SimCluster, SimNode } from './clusterNodes.js';
import { bearerCall } from './bearerCall.js';

const token = randomBytes(24).toString('base64url');
const agentToken = randomBytes(24).toString('base64url');
const prefix = uniquePrefix('cp');
const auditLog = `/tmp/${prefix}-audit.log`;
let cluster: SimCluster;
let hub: { origin: string };
/** node-a and node-c read-only; node-b allows changes. */
let readOnlyNode: SimNode;
let writableNode: SimNode;

async function call(base: string, bearer: string, method: string, path: string, body?: unknown) {
  const r = await bearerCall(base, bearer, method, path, body);
  return { status: r.status, body: r.body as Json };
}
const viaHub = (method: string, path: string, body?: unknown) => call(hub.origin, token, method, path, body);
const viaAgent = (n: SimNode, method: string, path: string, body?: unknown) =>
  call(n.agentUrl, agentToken, method, path, body);

async function agentModel(n: SimNode): Promise<Topology> {
  return (await viaAgent(n, 'GET', '/api/topology')).body as unknown as Topology;
}

/** The agent's id of a pod namespace (by its /run/netns name inside the node). */
async function podId(n: SimNode, pod: string): Promise<string> {
  const t = await agentModel(n);
  const ns = t.namespaces.find((x) => x.netnsNames.includes(pod));
  if (!ns) throw new Error(`${n.name}: no ${pod}`);
  return ns.id;
}

async function podLinks(n: SimNode, pod: string): Promise<string[]> {
  const links = JSON.parse(await inNode(n, `ip -j -n ${pod} link show`)) as Array<{ ifname: string }>;
  return links.map((l) => l.ifname).sort();
}

function podAddress(n: SimNode, pod: number): string {
  const [a, b, c] = n.podCidr.split('.');
  return `${a}.${b}.${c}.${10 + pod}`;
}

beforeAll(async () => {
  cluster = await buildCluster(prefix);
  [readOnlyNode, writableNode] = [cluster.nodes[0]!, cluster.nodes[1]!];
  await Promise.all(
    cluster.nodes.map((n) =>
      startAgent(n, agentToken, n === writableNode ? { allowChanges: { auditLog } } : {}),
    ),
  );
  hub = await startHubCli(
    cluster.nodes.map((n) => n.agentUrl),
    token,
    agentToken,
  );
  // Every node's pods on the hub: the hub knows each agent's host by now.
  await everyNodeOnHub(
    cluster,
    async () => (await viaHub('GET', '/api/topology')).body as unknown as Topology,
  );
}, 420_000);

afterAll(async () => {
  await cluster?.stop();
  for (const f of [auditLog, `${auditLog}.intents`]) rmSync(f, { force: true });
}, 60_000);

describe('the hub serves the same API as the agents', () => {
  it('inspect through the hub equals the agent answer', async () => {
    const n = readOnlyNode;
    const pod = await podId(n, 'pod1');
    for (const view of ['sockets', 'firewall']) {
      const mine = await viaHub(
        'GET',
        `/api/namespaces/${encodeURIComponent(qualifiedId(n.name, pod))}/${view}`,
      );
      const theirs = await viaAgent(n, 'GET', `/api/namespaces/${pod}/${view}`);
      expect(mine.status, view).toBe(200);
      expect(mine.body, view).toEqual(theirs.body);
    }
  });

  it('a trace through the hub equals the agent trace, ids qualified', async () => {
    const n = readOnlyNode;
    const from = await podId(n, 'pod1');
    const to = podAddress(n, 2);
    const theirs = await viaAgent(n, 'POST', '/api/trace', { from, to });
    const mine = await viaHub('POST', '/api/trace', { from: qualifiedId(n.name, from), to });
    expect(theirs.status).toBe(200);
    expect((theirs.body as unknown as TraceResponse).verdict).toBe('reachable');
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual(qualifyAnswer(n.name, theirs.body));
    const hops = (mine.body as unknown as TraceResponse).hops;
    expect(hops.length).toBeGreaterThan(1);
    for (const h of hops) expect(parseQualifiedId(h.namespace)?.host).toBe(n.name);
  });

  it('an action through the hub changes the kernel of an --allow-changes node', async () => {
    const n = writableNode;
    const pod = await podId(n, 'pod1');
    expect(await podLinks(n, 'pod1')).not.toContain('hubbr0');
    const made = await viaHub('POST', '/api/bridges', {
      namespace: qualifiedId(n.name, pod),
      name: 'hubbr0',
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const answer = made.body as { id: string; namespace: string };
    expect(answer.namespace).toBe(qualifiedId(n.name, pod));
    expect(parseQualifiedId(answer.id)?.host).toBe(n.name);
    const kernel = JSON.parse(await inNode(n, 'ip -j -d -n pod1 link show dev hubbr0')) as Array<{
      ifindex: number;
      linkinfo: { info_kind: string };
    }>;
    expect(kernel[0]!.linkinfo.info_kind).toBe('bridge');
    expect(parseQualifiedId(answer.id)?.local).toBe(ifId(parseNsId(pod)!, kernel[0]!.ifindex));
    // The hub's own model gets it from the agent's deltas.
    await pollUntil(async () => {
      const t = (await viaHub('GET', '/api/topology')).body as unknown as Topology;
      return t.interfaces.some((i) => i.id === answer.id && i.name === 'hubbr0');
    }, 'hubbr0 in the hub model');

    const gone = await viaHub('DELETE', `/api/interfaces/${encodeURIComponent(answer.id)}`, {});
    expect(gone.status, JSON.stringify(gone.body)).toBe(200);
    expect((gone.body as { deleted: string[] }).deleted).toEqual([answer.id]);
    expect(await podLinks(n, 'pod1')).not.toContain('hubbr0');
  });

  it('the hub says which nodes are read-only', async () => {
    const view = (await viaHub('GET', '/api/cluster')).body as unknown as ClusterView;
    const readOnly = Object.fromEntries(view.nodes.map((n) => [n.host, n.readOnly]));
    expect(readOnly).toEqual({ 'node-a': true, 'node-b': false, 'node-c': true });
  });

  it('a read-only node refuses the change with a 403 naming it, kernel unchanged', async () => {
    const n = readOnlyNode;
    const pod = await podId(n, 'pod1');
    const before = await podLinks(n, 'pod1');
    const r = await viaHub('POST', '/api/bridges', { namespace: qualifiedId(n.name, pod), name: 'hubbr1' });
    expect(r.status).toBe(403);
    const err = (r.body as { error: { code: string; message: string } }).error;
    expect(err.code).toBe('read_only');
    expect(err.message).toContain(n.name);
    expect(await podLinks(n, 'pod1')).toEqual(before);
  });

  it('bad ids are a 400 naming the field, nothing forwarded', async () => {
    const n = writableNode;
    const pod = await podId(n, 'pod1');
    const other = await podId(readOnlyNode, 'pod1');
    const before = await podLinks(n, 'pod1');
    const bare = await viaHub('POST', '/api/bridges', { namespace: pod, name: 'hubbr2' });
    expect(bare.status).toBe(400);
    expect((bare.body as { error: { field: string } }).error.field).toBe('namespace');
    const mixed = await viaHub('POST', '/api/veth', {
      a: { namespace: qualifiedId(n.name, pod), name: 'hx0' },
      b: { namespace: qualifiedId(readOnlyNode.name, other), name: 'hx1' },
    });
    expect(mixed.status).toBe(400);
    expect((mixed.body as { error: { field: string } }).error.field).toBe('b.namespace');
    const unknown = await viaHub('POST', '/api/bridges', { namespace: `node-zz/${pod}`, name: 'hubbr2' });
    expect(unknown.status).toBe(404);
    expect(await podLinks(n, 'pod1')).toEqual(before);
  });
  it('a trace from a pod on one node to a pod on another continues on the second node', async () => {
    const [a, b] = [readOnlyNode, writableNode];
    const from = qualifiedId(a.name, await podId(a, 'pod1'));
    const to = podAddress(b, 1);
    const r = await viaHub('POST', '/api/trace', { from, to });
    expect(r.status).toBe(200);
    const t = r.body as unknown as TraceResponse;
    const hosts = t.hops.map((h) => parseQualifiedId(h.namespace)?.host);
    expect(hosts[0]).toBe(a.name);
    expect(hosts.at(-1)).toBe(b.name);
    const bPod = qualifiedId(b.name, await podId(b, 'pod1'));
    expect(t.hops.at(-1)!.namespace).toBe(bPod);
    expect(t.hops.at(-1)!.action).toBe('deliver');
    expect(t.namespaces).toContain(bPod);
    expect(t.verdict).toBe('reachable');
    // The packet enters node B by its underlay eth0, the route's gateway there.
    const enter = t.hops.find((h) => parseQualifiedId(h.namespace)?.host === b.name)!;
    const topo = (await viaHub('GET', '/api/topology')).body as unknown as Topology;
    const eth0 = topo.interfaces.find((i) => i.id === enter.in)!;
    expect(eth0.name).toBe('eth0');
    expect(eth0.addresses.map((x) => x.cidr)).toContain(`${b.underlayIp}/24`);
    // The reply comes back to the pod it started from.
    expect(t.returnPath!.hops.at(-1)).toMatchObject({ namespace: from, action: 'deliver', ok: true });
  });

  it('the continued trace reads the second node: a pod link down there makes it unreachable there', async () => {
    const [a, c] = [readOnlyNode, cluster.nodes[2]!];
    const from = qualifiedId(a.name, await podId(a, 'pod1'));
    await inNode(c, 'ip -n pod2 link set eth0 down');
    try {
      const r = await viaHub('POST', '/api/trace', { from, to: podAddress(c, 2) });
      const t = r.body as unknown as TraceResponse;
      expect(t.verdict).toBe('unreachable');
      const failed = t.hops[t.failedAt!]!;
      expect(parseQualifiedId(failed.namespace)?.host).toBe(c.name);
      expect(t.hops.slice(0, t.failedAt!).some((h) => parseQualifiedId(h.namespace)?.host === a.name)).toBe(
        true,
      );
    } finally {
      await inNode(c, 'ip -n pod2 link set eth0 up');
    }
  });
});
