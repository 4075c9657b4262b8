/**
 * Labelled frames around each group's boxes on the canvas (in flow coordinates, so they pan and
 * zoom with the boxes); a group whose boxes are mixed with others gets no frame, only its tags.
 */
import { useEffect, useRef } from 'react';
import type { CSSProperties } from 'react';
import { ViewportPortal, useReactFlow } from '@xyflow/react';
import { useGroups } from './groupStore.js';
import { groupHue, primaryGroup } from './groupView.js';
import { useNamespaceFrames } from './useNamespaceFrames.js';
import './groups.css';

/**
 * Picking a group (or all again) fits the view to what is shown: the group's boxes keep their
 * places from the whole picture, which may be far off screen.
 */
function useFitOnPick(): void {
  const selected = useGroups((s) => s.selected);
  const rf = useReactFlow();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // The picture is rebuilt synchronously on a pick; React Flow measures it a frame later.
    const id = requestAnimationFrame(() =>
      requestAnimationFrame(() => void rf.fitView({ padding: 0.2, maxZoom: 1.2 })),
    );
    return () => cancelAnimationFrame(id);
  }, [selected, rf]);
}

export function GroupFrames() {
  useFitOnPick();
  const frames = useNamespaceFrames(primaryGroup);
  if (frames.length === 0) return null;
  return (
    <ViewportPortal>
      {frames.map((f) => (
        <div
          key={f.group}
          className="group-frame"
          data-testid="group-frame"
          data-group={f.group}
          style={
            {
              transform: `translate(${f.x}px, ${f.y}px)`,
              width: f.w,
              height: f.h,
              '--group-hue': groupHue(f.group),
            } as CSSProperties
          }
        >
          <span className="group-frame-label">{f.group}</span>
        </div>
      ))}
    </ViewportPortal>
  );
}
