/**
 * Veth and bridge-port edges, drawn centre to centre and clipped at the interface boxes, so they
 * stay sensible wherever boxes are dragged. Memoised; no animation (cost at hundreds of edges).
 */
import { memo } from 'react';
import { BaseEdge, getStraightPath, useInternalNode } from '@xyflow/react';
import type { EdgeProps, InternalNode } from '@xyflow/react';
import type { FlowNode, PortEdge, VethEdge } from '../graph/types.js';
import { floatingEnds } from './geometry.js';
import type { Box } from './geometry.js';

function box(n: InternalNode<FlowNode>): Box {
  const p = n.internals.positionAbsolute;
  return { x: p.x, y: p.y, w: n.measured.width ?? n.width ?? 0, h: n.measured.height ?? n.height ?? 0 };
}

function useEnds(source: string, target: string): { path: string } | null {
  const s = useInternalNode<FlowNode>(source);
  const t = useInternalNode<FlowNode>(target);
  if (!s || !t) return null;
  const e = floatingEnds(box(s), box(t));
  const [path] = getStraightPath({ sourceX: e.sx, sourceY: e.sy, targetX: e.tx, targetY: e.ty });
  return { path };
}

export const VethEdgeView = memo(function VethEdgeView({
  id,
  source,
  target,
  selected,
}: EdgeProps<VethEdge>) {
  const ends = useEnds(source, target);
  if (!ends) return null;
  return (
    <BaseEdge
      id={id}
      path={ends.path}
      className={selected ? 'veth-edge selected' : 'veth-edge'}
      interactionWidth={12}
    />
  );
});

export const PortEdgeView = memo(function PortEdgeView({ id, source, target }: EdgeProps<PortEdge>) {
  const ends = useEnds(source, target);
  if (!ends) return null;
  return <BaseEdge id={id} path={ends.path} className="port-edge" interactionWidth={0} />;
});
