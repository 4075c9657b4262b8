/** Level of detail: far out, text is unreadable, so nodes draw lite (fewer DOM nodes to paint). */
import { useStore as useFlowStore } from '@xyflow/react';

export const FAR_ZOOM = 0.45;

/** A boolean selector: a node re-renders only when the zoom crosses the threshold. */
export function useFar(): boolean {
  return useFlowStore((s) => s.transform[2] < FAR_ZOOM);
}
