/**
 * Steps the hub tests take alike over a simulated cluster (clusterNodes.ts): agents and the hub
 * started together, and waiting until the hub shows every node.
 */
import type { Topology } from '../common/model.js';
import { pollUntil } from './kernel.js';
import { startAgent, startHubCli } from './clusterNodes.js';
import type { AgentFlags, SimCluster, SimNode } from './clusterNodes.js';

/** An agent in every node (`flags` per node), then the hub over them; resolves with its origin. */
export async function startAgentsAndHub(
  cluster: SimCluster,
  token: string,
  agentToken: string,
  flags: (node: SimNode) => AgentFlags = () => ({}),
): Promise<string> {
  await Promise.all(cluster.nodes.map((n) => startAgent(n, agentToken, flags(n))));
  return (
    await startHubCli(
      cluster.nodes.map((n) => n.agentUrl),
      token,
      agentToken,
    )
  ).origin;
}

/** Waits until the hub's topology (as `topology` fetches it) holds namespaces of every node. */
export async function everyNodeOnHub(
  cluster: SimCluster,
  topology: () => Promise<Topology>,
  what = 'every node on the hub',
): Promise<void> {
  await pollUntil(
    async () => {
      const t = await topology();
      return cluster.nodes.every((n) => t.namespaces.some((x) => x.id.startsWith(`${n.name}/`)));
    },
    what,
    60_000,
  );
}
