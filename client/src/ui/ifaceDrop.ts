/**
 * Dropping an interface onto a bridge: what lies under the pointer and whether dropping there
 * attaches, is refused (with the reason shown to the user, no request made), or does nothing.
 * Pure; the canvas supplies absolute boxes of the interface nodes.
 */
import type { Interface } from '../../../common/model.js';
import { isLoopback } from '../model/interface.js';

export interface DropCandidate {
  iface: Interface;
  /** Absolute box in flow coordinates. */
  x: number;
  y: number;
  w: number;
  h: number;
}

export type DropVerdict =
  | { kind: 'attach'; target: string; bridge: Interface }
  | { kind: 'refuse'; target: string; reason: string }
  | { kind: 'none'; target: string | null; reason: string | null };

const NOTHING: DropVerdict = { kind: 'none', target: null, reason: null };

/** The topmost (last drawn) candidate under the point, other than the dragged node itself. */
export function candidateAt(
  candidates: readonly DropCandidate[],
  point: { x: number; y: number },
  draggedId: string,
): DropCandidate | null {
  for (let i = candidates.length - 1; i >= 0; i--) {
    const c = candidates[i]!;
    if (c.iface.id === draggedId) continue;
    if (point.x >= c.x && point.x <= c.x + c.w && point.y >= c.y && point.y <= c.y + c.h) return c;
  }
  return null;
}

/**
 * The same rules as the panel and the server (same namespace, no bridge in a bridge, no loopback),
 * checked here so the user gets the reason at once and no request is made for a refused drop.
 */
export function dropVerdict(
  dragged: Interface,
  target: Interface | null,
  nsName: (id: string) => string,
): DropVerdict {
  if (!target) return NOTHING;
  if (target.kind !== 'bridge') {
    return {
      kind: 'none',
      target: target.id,
      reason: `${target.name} is not a bridge: drop ${dragged.name} onto a bridge to attach it`,
    };
  }
  const refuse = (reason: string): DropVerdict => ({ kind: 'refuse', target: target.id, reason });
  if (target.namespace !== dragged.namespace) {
    return refuse(
      `${dragged.name} is in ${nsName(dragged.namespace)} but bridge ${target.name} is in ` +
        `${nsName(target.namespace)}: an interface can only join a bridge in its own namespace`,
    );
  }
  if (dragged.kind === 'bridge')
    return refuse(`${dragged.name} is a bridge: a bridge cannot be a port of ${target.name}`);
  if (isLoopback(dragged)) return refuse(`the loopback interface cannot be attached to a bridge`);
  if (dragged.master === target.id) return refuse(`${dragged.name} is already a port of ${target.name}`);
  return { kind: 'attach', target: target.id, bridge: target };
}
