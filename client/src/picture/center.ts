/** Where drawn nodes are, in flow coordinates (interfaces are placed relative to their box). Pure. */
import type { FlowNode, XY } from '../graph/types.js';

const width = (n: FlowNode): number => n.measured?.width ?? n.width ?? 0;
const height = (n: FlowNode): number => n.measured?.height ?? n.height ?? 0;

/** Centre of a node, or null when it is not drawn. */
export function absoluteCenter(nodes: readonly FlowNode[], id: string): XY | null {
  const n = nodes.find((x) => x.id === id);
  if (!n) return null;
  const parent = n.parentId ? nodes.find((x) => x.id === n.parentId) : undefined;
  return {
    x: (parent?.position.x ?? 0) + n.position.x + width(n) / 2,
    y: (parent?.position.y ?? 0) + n.position.y + height(n) / 2,
  };
}

/** The namespace box under a point (boxes are the top-level nodes), or null. */
export function namespaceAt(nodes: readonly FlowNode[], p: XY): string | null {
  for (const n of nodes) {
    if (n.type !== 'namespace') continue;
    const { x, y } = n.position;
    if (p.x >= x && p.x <= x + width(n) && p.y >= y && p.y <= y + height(n)) return n.id;
  }
  return null;
}
