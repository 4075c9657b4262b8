/**
 * Hub mode: which nodes the page's "new namespace" form offers, and which one it proposes. A
 * namespace holds no id of a node, so the hub needs the node named; read-only nodes (agent
 * without --allow-changes, or not yet known) are not offered: the agent would refuse anyway.
 */
import type { NodeStatus } from '../../../common/cluster.js';

export interface NodeChoice {
  host: string;
  stale: boolean;
}

/** The nodes a namespace can be created on, in the hub's order. */
export function writableNodes(nodes: readonly NodeStatus[]): NodeChoice[] {
  return nodes
    .filter((n): n is NodeStatus & { host: string } => n.host !== null && n.readOnly === false)
    .map((n) => ({ host: n.host, stale: n.state === 'stale' }));
}

/**
 * The proposed node: the only node the node filter shows, when it is writable (the user is
 * looking at it); else the first writable node shown; else the first writable node; else none.
 */
export function defaultNewNamespaceNode(
  nodes: readonly NodeStatus[],
  hidden: ReadonlySet<string>,
): string | null {
  const writable = writableNodes(nodes);
  const shown = nodes.filter((n) => n.host !== null && !hidden.has(n.host));
  if (shown.length === 1) {
    const only = writable.find((w) => w.host === shown[0]!.host);
    if (only) return only.host;
  }
  return (writable.find((w) => !hidden.has(w.host)) ?? writable[0])?.host ?? null;
}
