/**
 * Interface nodes are dragged only to be dropped onto a bridge; the layout owns their place in
 * the box. One position change of such a node: while dragged it follows the pointer (and the
 * layout follows too, so a delta meanwhile does not yank it back); at the end it goes home. Pure.
 */
import type { XY } from '../graph/types.js';

export interface ChildDragStep {
  /** Where the node is drawn after this change (and what the layout holds for it). */
  position: XY;
  /** Where it goes back to when the drag ends; undefined once it has. */
  home: XY | undefined;
}

export function childDrag(
  change: { position: XY; dragging?: boolean | undefined },
  laidOut: XY | undefined,
  home: XY | undefined,
): ChildDragStep {
  const back = home ?? laidOut ?? change.position;
  return change.dragging ? { position: change.position, home: back } : { position: back, home: undefined };
}
