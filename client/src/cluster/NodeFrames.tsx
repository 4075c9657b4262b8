/**
 * Hub mode: a labelled frame per node around its namespaces' boxes (in flow coordinates, so it
 * pans and zooms with them), outside any group frame. Nothing on a single-host server (no
 * namespace has a `host`). A node whose boxes are mixed with another node's gets no frame: it
 * would hold a namespace that is not on it.
 */
import { ViewportPortal } from '@xyflow/react';
import type { Namespace } from '../../../common/model.js';
import { FRAME_PAD } from '../groups/groupView.js';
import { useNamespaceFrames } from '../groups/useNamespaceFrames.js';
import './cluster.css';

/** Outside the group frames (FRAME_PAD), with room for both labels. */
const NODE_FRAME_PAD = FRAME_PAD * 2 + 6;
/** Stable (module level), so the frames are recomputed only when the boxes move. */
const hostOf = (ns: Namespace) => ns.host ?? null;

export function NodeFrames() {
  const frames = useNamespaceFrames(hostOf, NODE_FRAME_PAD);
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
