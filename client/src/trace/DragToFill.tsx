/**
 * A handle in the trace form: press it, move onto an interface or a namespace in the picture, let
 * go, and the destination box gets its address (dropTarget.ts). It works by pointer capture on the
 * handle and hit-testing where it is released, so React Flow never sees the drag: namespace boxes
 * do not move and no veth is proposed (those drags start on the canvas, this one in the panel).
 */
import { useEffect, useRef, useState } from 'react';
import type { PointerEvent } from 'react';
import { liveModel } from '../sync/live.js';
import type { DropFill } from './dropTarget.js';
import { destinationFor } from './dropTarget.js';

const HOVER = 'data-trace-drop';

/** The picture's node (namespace box or interface) under a screen point: the topmost one. */
function nodeAt(x: number, y: number): HTMLElement | null {
  const el = document.elementFromPoint(x, y);
  return el instanceof HTMLElement ? el.closest<HTMLElement>('.react-flow__node[data-id]') : null;
}

export function DragToFill({ onFill }: { onFill(fill: DropFill): void }) {
  const [dragging, setDragging] = useState(false);
  const hovered = useRef<HTMLElement | null>(null);
  const hover = (el: HTMLElement | null) => {
    if (hovered.current === el) return;
    hovered.current?.removeAttribute(HOVER);
    el?.setAttribute(HOVER, '');
    hovered.current = el;
  };
  // A form closed mid-drag leaves no outline behind.
  useEffect(() => () => hovered.current?.removeAttribute(HOVER), []);

  const down = (e: PointerEvent<HTMLButtonElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    setDragging(true);
  };
  const move = (e: PointerEvent<HTMLButtonElement>) => {
    if (dragging) hover(nodeAt(e.clientX, e.clientY));
  };
  const up = (e: PointerEvent<HTMLButtonElement>) => {
    if (!dragging) return;
    setDragging(false);
    hover(null);
    const id = nodeAt(e.clientX, e.clientY)?.dataset.id ?? null;
    const t = liveModel.store.getState().live?.topology;
    const fill = id && t ? destinationFor(t, id) : null;
    onFill(fill ?? { addr: null, note: 'drop the handle on an interface or a namespace in the picture' });
  };
  const cancel = () => {
    setDragging(false);
    hover(null);
  };

  return (
    <button
      type="button"
      className={`trace-drag${dragging ? ' is-dragging' : ''}`}
      data-testid="trace-drag"
      title="Drag onto an interface or a namespace in the picture to trace to its address"
      onPointerDown={down}
      onPointerMove={move}
      onPointerUp={up}
      onPointerCancel={cancel}
    >
      {dragging ? 'drop on the picture…' : '⌖ drag to pick'}
    </button>
  );
}
