/**
 * A trace continued across nodes enters the next node as the packet really does: on the
 * interface it arrives on (node-b's underlay eth0) with the source it carries (node-a's pod),
 * so node-b judges it as forwarded. Two simulated nodes (test/clusterNodes.ts); node-b's host
 * namespace gets a forward-chain rule of the test's own dropping what arrives on eth0 for its
 * pod1. The hub's trace stops at that rule on node-b, the kernel agrees (a real ping between the
 * two pods fails, and passes once the rule is gone), and the same leg asked the old way (as if
 * sent from node-b's host namespace, no `enter`) passes the rule: the difference this makes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQualifiedId, qualifiedId } from '../common/ids.js';
import type { Topology } from '../common/model.js';
import type { TraceResponse } from '../common/trace.js';
import { uniquePrefix } from './kernel.js';
import { buildCluster, inNode, startAgent, startHubCli } from './clusterNodes.js';
import { everyNodeOnHub } from './clusterHub.js';
import type { SimCluster, SimNode } from './clusterNodes.js';
import { bearerCall } from './bearerCall.js';

const token = randomBytes(24).toString('base64url');
const agentToken = randomBytes(24).toString('base64url');
const prefix = uniquePrefix('ct');
let cluster: SimCluster;
let hub: { origin: string };
let a: SimNode;
let b: SimNode;

const call = (base: string, bearer: string, path: string, body?: unknown) =>
  bearerCall(base, bearer, body === undefined ? 'GET' : 'POST', path, body);

async function nsOf(n: SimNode, pred: (ns: Topology['namespaces'][number]) => boolean): Promise<string> {
  const t = (await call(n.agentUrl, agentToken, '/api/topology')).body as Topology;
  const ns = t.namespaces.find(pred);
  if (!ns) throw new Error(`${n.name}: namespace not found`);
  return ns.id;
}

const podAddress = (n: SimNode, pod: number) => n.podCidr.replace(/\.0\/24$/, `.${10 + pod}`);

/** One real ping from node-a's pod1 to node-b's pod1 (over the test's own underlay bridge). */
async function pingAcross(): Promise<boolean> {
  try {
    await inNode(a, `nsenter --net=/run/netns/pod1 /bin/busybox ping -c 1 -W 2 ${podAddress(b, 1)}`);
    return true;
  } catch {
    return false;
  }
}

const RULE = (addr: string) =>
  `nft add table inet ${prefix}
   nft add chain inet ${prefix} fw "{ type filter hook forward priority 0; policy accept; }"
   nft add rule inet ${prefix} fw iifname "eth0" ip daddr ${addr} drop`;

beforeAll(async () => {
  cluster = await buildCluster(prefix, 2);
  [a, b] = cluster.nodes as [SimNode, SimNode];
  await Promise.all(cluster.nodes.map((n) => startAgent(n, agentToken)));
  hub = await startHubCli(
    cluster.nodes.map((n) => n.agentUrl),
    token,
    agentToken,
  );
  await everyNodeOnHub(
    cluster,
    async () => (await call(hub.origin, token, '/api/topology')).body as Topology,
    'both nodes on the hub',
  );
}, 420_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('a continued trace enters the next node on its real interface', () => {
  it("a forward-chain drop on node-b's router stops the hub's trace there, as it stops the packet", async () => {
    const from = qualifiedId(a.name, await nsOf(a, (n) => n.netnsNames.includes('pod1')));
    const to = podAddress(b, 1);
    // Without the rule: the hub's trace and a real ping both get through.
    const open = (await call(hub.origin, token, '/api/trace', { from, to })).body as TraceResponse;
    expect(open.verdict).toBe('reachable');
    expect(await pingAcross()).toBe(true);

    await inNode(b, RULE(to));
    try {
      const r = await call(hub.origin, token, '/api/trace', { from, to });
      expect(r.status).toBe(200);
      const t = r.body as TraceResponse;
      expect(t.verdict).toBe('unreachable');
      const failed = t.hops[t.failedAt!]!;
      const bHost = await nsOf(b, (n) => n.kind === 'host');
      expect(failed.namespace).toBe(qualifiedId(b.name, bHost));
      expect(failed.reason ?? '').toMatch(/forward/);
      // It entered node-b on eth0, the leg's first hop there.
      const enter = t.hops.find((h) => parseQualifiedId(h.namespace)?.host === b.name)!;
      const topo = (await call(hub.origin, token, '/api/topology')).body as Topology;
      expect(topo.interfaces.find((i) => i.id === enter.in)?.name).toBe('eth0');
      // The kernel agrees: the packet does not get through.
      expect(await pingAcross()).toBe(false);

      // The old way (a trace sent from node-b's host namespace) never meets the forward chain.
      const local = (await call(b.agentUrl, agentToken, '/api/trace', { from: bHost, to }))
        .body as TraceResponse;
      expect(local.verdict).toBe('reachable');
    } finally {
      await inNode(b, `nft delete table inet ${prefix}`);
    }
    expect(await pingAcross()).toBe(true);
  });
});
