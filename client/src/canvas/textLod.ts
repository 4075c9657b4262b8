/**
 * Text level of detail: text that would be drawn smaller than TEXT_MIN_PX on screen is grey
 * noise, so it is drawn as a bar instead (lod.css). Each tier hides one more font size; the
 * canvas carries the tier as a class, so zooming re-renders no node.
 */
import { useStore as useFlowStore } from '@xyflow/react';

/** Smallest text drawn as text, in screen pixels. */
export const TEXT_MIN_PX = 8;
/** Font sizes of the picture (canvas.css, lod.css), smallest first: tier k hides the first k. */
export const FONT_SIZES = [10, 11, 12, 13, 14] as const;

/** How many font sizes are too small at this zoom (0: all text drawn). */
export function textTier(zoom: number): number {
  return FONT_SIZES.filter((px) => px * zoom < TEXT_MIN_PX).length;
}

/** Whether text of `px` is drawn at this zoom. */
export function textShown(px: number, zoom: number): boolean {
  return px * zoom >= TEXT_MIN_PX;
}

/** The canvas's tier class; changes only when the zoom crosses a threshold. */
export function useTextTierClass(): string {
  const tier = useFlowStore((s) => textTier(s.transform[2]));
  return tier === 0 ? '' : `text-tier-${tier}`;
}

/** A boolean selector for one element's size (edge labels). */
export function useTextShown(px: number): boolean {
  return useFlowStore((s) => textShown(px, s.transform[2]));
}
