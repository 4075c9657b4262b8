/**
 * Structural sharing between what React Flow holds and freshly derived nodes/edges: React Flow's
 * own state (measured size, selection, dragging) is kept, and an unchanged node or edge stays the
 * same object so memoised components skip rendering.
 */
import { jsonEqual } from '../../../common/delta.js';
import type { FlowEdge, FlowNode } from './types.js';

function sameData(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k] || jsonEqual(a[k], b[k]));
}

const NODE_KEYS = ['type', 'parentId', 'width', 'height', 'className', 'hidden', 'extent'] as const;

export function mergeNodes(prev: readonly FlowNode[], next: readonly FlowNode[]): FlowNode[] {
  const old = new Map(prev.map((n) => [n.id, n]));
  let changed = prev.length !== next.length;
  const out = next.map((n, i) => {
    const p = old.get(n.id);
    if (!p) {
      changed = true;
      return n;
    }
    const same =
      p.position.x === n.position.x &&
      p.position.y === n.position.y &&
      NODE_KEYS.every((k) => p[k] === n[k]) &&
      sameData(p.data, n.data);
    if (same) {
      if (prev[i] !== p) changed = true;
      return p;
    }
    changed = true;
    // Keep React Flow's state; keep the old data object when equal so memo() can skip.
    const data = sameData(p.data, n.data) ? p.data : n.data;
    return {
      ...n,
      data,
      measured: n.measured ?? p.measured,
      selected: p.selected,
      dragging: p.dragging,
    } as FlowNode;
  });
  return changed ? out : (prev as FlowNode[]);
}

export function mergeEdges(prev: readonly FlowEdge[], next: readonly FlowEdge[]): FlowEdge[] {
  const old = new Map(prev.map((e) => [e.id, e]));
  let changed = prev.length !== next.length;
  const out = next.map((e, i) => {
    const p = old.get(e.id);
    if (
      p &&
      p.source === e.source &&
      p.target === e.target &&
      p.className === e.className &&
      (p.data === e.data || jsonEqual(p.data, e.data))
    ) {
      if (prev[i] !== p) changed = true;
      return p;
    }
    changed = true;
    return p ? ({ ...e, selected: p.selected } as FlowEdge) : e;
  });
  return changed ? out : (prev as FlowEdge[]);
}
