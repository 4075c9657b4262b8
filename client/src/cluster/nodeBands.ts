/**
 * Hub mode: each node's boxes as one block, blocks side by side in node order, so a frame around
 * a node's namespaces holds nothing of another node's. A layout engine places boxes by how they
 * are connected, and nodes are joined only by overlay edges, so it mixes their boxes freely;
 * inside its block every box keeps its place relative to the others of its node. Pure; a layout
 * with fewer than two nodes (a single-host server has none) comes back as it was.
 */
import type { Namespace } from '../../../common/model.js';
import type { Layout } from '../graph/types.js';

/** Room between two nodes' blocks: both frames' padding and a gap. */
export const NODE_GAP = 110;

export function bandByNode(layout: Layout, namespaces: readonly Pick<Namespace, 'id' | 'host'>[]): Layout {
  const byHost = new Map<string, string[]>();
  for (const n of namespaces) {
    if (n.host === undefined || !layout.pos[n.id] || !layout.size[n.id]) continue;
    byHost.set(n.host, [...(byHost.get(n.host) ?? []), n.id]);
  }
  if (byHost.size < 2) return layout;
  const pos = { ...layout.pos };
  let x = 0;
  for (const host of [...byHost.keys()].sort()) {
    const ids = byHost.get(host)!;
    const left = Math.min(...ids.map((id) => layout.pos[id]!.x));
    const top = Math.min(...ids.map((id) => layout.pos[id]!.y));
    const right = Math.max(...ids.map((id) => layout.pos[id]!.x + layout.size[id]!.w));
    for (const id of ids) pos[id] = { x: layout.pos[id]!.x - left + x, y: layout.pos[id]!.y - top };
    x += right - left + NODE_GAP;
  }
  return { pos, size: layout.size };
}
