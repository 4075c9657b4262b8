/**
 * A big segment drawn closed (graph/aggregate.ts): one node over its members' places with the
 * bridge's name and the members' counts, and one thick edge to the bridge. Its text is sized to
 * the node (the node is an overview's shape), and not drawn while it would be under 8 px.
 */
import { memo, useEffect } from 'react';
import { BaseEdge, Handle, Position, useInternalNode, useStore as useFlowStore } from '@xyflow/react';
import type { EdgeProps, NodeProps } from '@xyflow/react';
import { isZoomedOut } from '../graph/aggregate.js';
import type { AggregateEdge, AggregateNode, FlowNode } from '../graph/types.js';
import { picture } from '../picture/picture.js';
import { TEXT_MIN_PX } from './textLod.js';
import './aggregate.css';

/** Title size in flow units: a share of the node's width, so it reads at the zoom that shows it. */
export function aggregateFont(width: number): number {
  return Math.max(14, Math.round(width / 26));
}
/** The title and summary take this many title sizes at the node's top; the edge leaves below. */
const HEADER_LINES = 3.6;

export const AggregateNodeView = memo(function AggregateNodeView({ data, width }: NodeProps<AggregateNode>) {
  const font = aggregateFont(width ?? 0);
  // A boolean selector: the node re-renders only when its text crosses the 8 px line.
  const readable = useFlowStore((s) => 0.6 * font * s.transform[2] >= TEXT_MIN_PX);
  const { members, up, down } = data.summary;
  const upShare = members ? (100 * up) / members : 0;
  const text = `${data.title} · ${members} namespaces · ${up} up`;
  return (
    <div
      className="aggregate-box"
      data-testid="aggregate"
      data-members={members}
      data-up={up}
      data-down={down}
      title={`${text}${down ? ` · ${down} down` : ''} (click or zoom in to open)`}
      style={{ fontSize: font }}
    >
      <div className="aggregate-head" style={{ padding: `${font / 2}px ${font}px` }}>
        {readable && (
          <>
            <div className="aggregate-title" data-testid="aggregate-title">
              {text}
            </div>
            <div className="aggregate-sub" data-testid="aggregate-sub">
              {down ? `${down} down · ` : ''}click or zoom in to open
            </div>
          </>
        )}
        <div className="aggregate-bar" style={{ height: font / 2 }} title={`${up} up, ${down} down`}>
          <div className="aggregate-bar-up" style={{ width: `${upShare}%` }} />
        </div>
      </div>
      <Handle type="source" id="port" position={Position.Top} isConnectable={false} className="port-handle" />
    </div>
  );
});

/** From under the aggregate's header straight to the top of its bridge (inside the aggregate). */
export const AggregateEdgeView = memo(function AggregateEdgeView({
  id,
  source,
  target,
}: EdgeProps<AggregateEdge>) {
  const from = useInternalNode<FlowNode>(source);
  const to = useInternalNode<FlowNode>(target);
  if (!from || !to) return null;
  const w = from.measured.width ?? 0;
  const a = from.internals.positionAbsolute;
  const b = to.internals.positionAbsolute;
  const sx = a.x + w / 2;
  const sy = a.y + aggregateFont(w) * HEADER_LINES;
  const tx = b.x + (to.measured.width ?? 0) / 2;
  return <BaseEdge id={id} path={`M ${sx} ${sy} L ${tx} ${b.y}`} className="aggregate-edge" />;
});

/**
 * Tells the picture when the zoom crosses OPEN_ZOOM (a boolean selector: no work while zooming
 * on either side). Silent until the first picture is fitted, so it is drawn closed from the start.
 */
export function useAggregateZoom(fitted: boolean): void {
  const out = useFlowStore((s) => isZoomedOut(s.transform[2]));
  useEffect(() => {
    if (fitted) picture.setZoomedOut(out);
  }, [out, fitted]);
}
