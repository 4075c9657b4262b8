/**
 * Veth and bridge-port edges, drawn centre to centre and clipped at the interface boxes, so they
 * stay sensible wherever boxes are dragged. Memoised; no animation (cost at hundreds of edges),
 * except the few pending veth edges between namespace boxes while a creation request runs.
 */
import { memo } from 'react';
import { BaseEdge, getStraightPath, useInternalNode } from '@xyflow/react';
import type { EdgeProps, InternalNode } from '@xyflow/react';
import type { FlowNode, PortEdge, VethEdge } from '../graph/types.js';
import type { PendingVethEdge } from '../ui/pendingVeth.js';
import { useEdgeCaptured } from '../capture/captureStore.js';
import { floatingEnds, selfLoop } from './geometry.js';
import type { Box } from './geometry.js';

function box(n: InternalNode<FlowNode>): Box {
  const p = n.internals.positionAbsolute;
  return { x: p.x, y: p.y, w: n.measured.width ?? n.width ?? 0, h: n.measured.height ?? n.height ?? 0 };
}

function useEnds(source: string, target: string): { path: string; labelX: number; labelY: number } | null {
  const s = useInternalNode<FlowNode>(source);
  const t = useInternalNode<FlowNode>(target);
  if (!s || !t) return null;
  if (source === target) return selfLoop(box(s));
  const e = floatingEnds(box(s), box(t));
  const [path, labelX, labelY] = getStraightPath({
    sourceX: e.sx,
    sourceY: e.sy,
    targetX: e.tx,
    targetY: e.ty,
  });
  return { path, labelX, labelY };
}

export const VethEdgeView = memo(function VethEdgeView({
  id,
  source,
  target,
  selected,
}: EdgeProps<VethEdge>) {
  const ends = useEnds(source, target);
  const captured = useEdgeCaptured(source, target);
  if (!ends) return null;
  return (
    <BaseEdge
      id={id}
      path={ends.path}
      className={`veth-edge${selected ? ' selected' : ''}${captured ? ' captured' : ''}`}
      interactionWidth={12}
    />
  );
});

export const PortEdgeView = memo(function PortEdgeView({ id, source, target }: EdgeProps<PortEdge>) {
  const ends = useEnds(source, target);
  if (!ends) return null;
  return <BaseEdge id={id} path={ends.path} className="port-edge" interactionWidth={0} />;
});

/** Label look of a pending edge: a small plate, so the names read over boxes and lines. */
const PENDING_LABEL = {
  labelShowBg: true,
  labelBgPadding: [4, 2] as [number, number],
  labelBgBorderRadius: 4,
};

/** A veth being created: dashed and moving (interaction.css), labelled with the two names. */
export const PendingVethEdgeView = memo(function PendingVethEdgeView(props: EdgeProps<PendingVethEdge>) {
  const ends = useEnds(props.source, props.target);
  const label = props.data ? `${props.data.label} …` : undefined;
  return ends ? (
    <BaseEdge
      {...PENDING_LABEL}
      {...ends}
      id={props.id}
      className="pending-veth-path"
      interactionWidth={0}
      label={label}
    />
  ) : null;
});
