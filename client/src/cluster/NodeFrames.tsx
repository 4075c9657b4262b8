/**
 * Hub mode: a labelled frame per node around its namespaces' boxes (in flow coordinates, so it
 * pans and zooms with them), outside any group frame. Nothing on a single-host server (no
 * namespace has a `host`). A node whose boxes are mixed with another node's gets no frame: it
 * would hold a namespace that is not on it.
 */
import { useMemo } from 'react';
import { ViewportPortal } from '@xyflow/react';
import { isNamespaceNode } from '../graph/types.js';
import { usePicture } from '../picture/picture.js';
import { FRAME_PAD, groupFrames } from '../groups/groupView.js';
import './cluster.css';

/** Outside the group frames (FRAME_PAD), with room for both labels. */
const NODE_FRAME_PAD = FRAME_PAD * 2 + 6;

export function NodeFrames() {
  const nodes = usePicture((s) => s.nodes);
  const frames = useMemo(() => {
    const boxes = nodes.filter(isNamespaceNode).map((n) => ({
      x: n.position.x,
      y: n.position.y,
      w: n.width ?? 0,
      h: n.height ?? 0,
      group: n.data.ns.host ?? null,
    }));
    return boxes.some((b) => b.group !== null) ? groupFrames(boxes, NODE_FRAME_PAD) : [];
  }, [nodes]);
  if (frames.length === 0) return null;
  return (
    <ViewportPortal>
      {frames.map((f) => (
        <div
          key={f.group}
          className="node-frame"
          data-testid="node-frame"
          data-host={f.group}
          style={{ transform: `translate(${f.x}px, ${f.y}px)`, width: f.w, height: f.h }}
        >
          <span className="node-frame-label">node {f.group}</span>
        </div>
      ))}
    </ViewportPortal>
  );
}
