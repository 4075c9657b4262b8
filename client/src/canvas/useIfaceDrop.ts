/**
 * Drag an interface onto a bridge to attach it. While dragging, the bridge under the pointer is
 * highlighted (green: dropping attaches; red: refused, with the reason on drop); dropping on a
 * valid bridge calls the same API as the panel. The interface node snaps back (the picture's
 * onNodesChange), and the port edge arrives by a delta.
 */
import { useCallback, useRef } from 'react';
import type { OnNodeDrag, ReactFlowInstance } from '@xyflow/react';
import type { FlowNode } from '../graph/types.js';
import { ApiError, callAction } from '../actions/api.js';
import { liveModel } from '../sync/live.js';
import { candidateAt, dropVerdict } from '../ui/ifaceDrop.js';
import type { DropCandidate, DropVerdict } from '../ui/ifaceDrop.js';
import { useInteraction } from '../ui/interaction.js';
import type { CanvasEdge } from '../ui/pendingVeth.js';

function clientPoint(e: MouseEvent | TouchEvent): { x: number; y: number } | null {
  const p = 'changedTouches' in e ? e.changedTouches[0] : e;
  return p ? { x: p.clientX, y: p.clientY } : null;
}

function nsName(id: string): string {
  return liveModel.store.getState().live?.topology.namespaces.find((n) => n.id === id)?.name ?? id;
}

async function attach(node: FlowNode, v: Extract<DropVerdict, { kind: 'attach' }>): Promise<void> {
  if (node.type === 'namespace' || node.type === 'aggregate') return;
  const { setDropStatus } = useInteraction.getState();
  const name = node.data.iface.name;
  if (liveModel.store.getState().live?.readOnly ?? true) {
    setDropStatus({ kind: 'error', text: 'Read-only: changes are disabled.' });
    return;
  }
  setDropStatus({ kind: 'pending', text: `Attaching ${name} to ${v.bridge.name}…` });
  try {
    await callAction('setMaster', { bridge: v.bridge.id }, { id: node.id });
    setDropStatus({ kind: 'done', text: `${name} attached to ${v.bridge.name}` });
  } catch (e) {
    const msg = e instanceof ApiError || e instanceof Error ? e.message : String(e);
    setDropStatus({ kind: 'error', text: `Could not attach ${name} to ${v.bridge.name}: ${msg}` });
  }
}

export function useIfaceDrop(rf: ReactFlowInstance<FlowNode, CanvasEdge>): {
  onNodeDragStart: OnNodeDrag<FlowNode>;
  onNodeDrag: OnNodeDrag<FlowNode>;
  onNodeDragStop: OnNodeDrag<FlowNode>;
} {
  // Where every interface is, taken once per drag (only the dragged node moves meanwhile).
  const candidates = useRef<DropCandidate[]>([]);

  const verdictAt = useCallback(
    (e: MouseEvent | TouchEvent, node: FlowNode): DropVerdict | null => {
      if (node.type === 'namespace' || node.type === 'aggregate') return null;
      const p = clientPoint(e);
      if (!p) return null;
      const hit = candidateAt(candidates.current, rf.screenToFlowPosition(p), node.id);
      return dropVerdict(node.data.iface, hit?.iface ?? null, nsName);
    },
    [rf],
  );

  const onNodeDragStart: OnNodeDrag<FlowNode> = useCallback(
    (_e, node) => {
      if (node.type === 'namespace' || node.type === 'aggregate') return;
      const list: DropCandidate[] = [];
      for (const n of rf.getNodes()) {
        if (n.type === 'namespace' || n.type === 'aggregate') continue;
        const internal = rf.getInternalNode(n.id);
        if (!internal) continue;
        const { x, y } = internal.internals.positionAbsolute;
        const w = internal.measured.width ?? n.width ?? 0;
        const h = internal.measured.height ?? n.height ?? 0;
        list.push({ iface: n.data.iface, x, y, w, h });
      }
      candidates.current = list;
      const { dropStatus, setDropStatus } = useInteraction.getState();
      if (dropStatus?.kind !== 'pending') setDropStatus(null);
    },
    [rf],
  );

  const onNodeDrag: OnNodeDrag<FlowNode> = useCallback(
    (e, node) => {
      const v = verdictAt(e, node);
      const over = v && v.kind !== 'none' ? { id: v.target, ok: v.kind === 'attach' } : null;
      useInteraction.getState().setDropOver(over);
    },
    [verdictAt],
  );

  const onNodeDragStop: OnNodeDrag<FlowNode> = useCallback(
    (e, node) => {
      const v = verdictAt(e, node);
      candidates.current = [];
      const { setDropOver, setDropStatus } = useInteraction.getState();
      setDropOver(null);
      if (!v) return;
      if (v.kind === 'attach') void attach(node, v);
      else if (v.kind === 'refuse') setDropStatus({ kind: 'error', text: v.reason });
      else if (v.reason) setDropStatus({ kind: 'hint', text: v.reason });
    },
    [verdictAt],
  );

  return { onNodeDragStart, onNodeDrag, onNodeDragStop };
}
