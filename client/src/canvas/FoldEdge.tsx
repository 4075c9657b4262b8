/**
 * A folded veth pair (graph/fold.ts): from the member's interface along the corridors of the
 * comb to the bridge (graph/routing.ts), labelled with the hub-side veth name while that label is
 * big enough to read. Follows the boxes wherever they are dragged.
 */
import { memo } from 'react';
import { BaseEdge, useInternalNode } from '@xyflow/react';
import type { EdgeProps, InternalNode } from '@xyflow/react';
import { foldRoute, polylinePath } from '../graph/routing.js';
import type { Rect } from '../graph/routing.js';
import type { FlowNode, FoldEdge } from '../graph/types.js';
import { useTextShown } from './textLod.js';
import './lod.css';

const LABEL_PX = 10;

function rect(n: InternalNode<FlowNode>): Rect {
  const p = n.internals.positionAbsolute;
  return { x: p.x, y: p.y, w: n.measured.width ?? n.width ?? 0, h: n.measured.height ?? n.height ?? 0 };
}

export const FoldEdgeView = memo(function FoldEdgeView({
  id,
  source,
  target,
  selected,
  data,
}: EdgeProps<FoldEdge>) {
  const iface = useInternalNode<FlowNode>(source);
  const bridge = useInternalNode<FlowNode>(target);
  const member = useInternalNode<FlowNode>(iface?.parentId ?? '');
  const hub = useInternalNode<FlowNode>(bridge?.parentId ?? '');
  const labelShown = useTextShown(LABEL_PX);
  if (!iface || !bridge || !member || !hub) return null;
  const points = foldRoute({
    iface: rect(iface),
    member: rect(member),
    bridge: rect(bridge),
    hub: rect(hub),
  });
  const start = points[0]!;
  const label = data?.label ?? '';
  return (
    <>
      <BaseEdge
        id={id}
        path={polylinePath(points)}
        className={selected ? 'fold-edge selected' : 'fold-edge'}
        interactionWidth={10}
      />
      {labelShown && label && (
        // The tooltip is the group's, so the label's own text is just the name.
        <g>
          <title>{`${label}: the hub's end of this veth pair`}</title>
          <text
            className="fold-label"
            x={start.x - 4}
            y={start.y - 4}
            textAnchor="end"
            data-testid="fold-label"
          >
            {label}
          </text>
        </g>
      )}
    </>
  );
});
