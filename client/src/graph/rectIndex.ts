/**
 * Rectangles in buckets of a coarse grid, so "does this box come near any placed box" costs a few
 * comparisons instead of one per box: placing a thousand new boxes was quadratic (seconds). Pure.
 */
import type { Size, XY } from './types.js';

type Rect = XY & Size;

const CELL = 1024;

export class RectIndex {
  private readonly buckets = new Map<string, Rect[]>();

  constructor(rects: readonly Rect[] = []) {
    for (const r of rects) this.add(r);
  }

  private cells(r: Rect, gap: number): string[] {
    const out: string[] = [];
    for (let cx = Math.floor((r.x - gap) / CELL); cx <= Math.floor((r.x + r.w + gap) / CELL); cx++)
      for (let cy = Math.floor((r.y - gap) / CELL); cy <= Math.floor((r.y + r.h + gap) / CELL); cy++)
        out.push(`${cx},${cy}`);
    return out;
  }

  add(r: Rect): void {
    for (const k of this.cells(r, 0)) {
      const list = this.buckets.get(k);
      if (list) list.push(r);
      else this.buckets.set(k, [r]);
    }
  }

  /** Whether `r`, grown by `gap` on every side, overlaps any rectangle in the index. */
  near(r: Rect, gap: number): boolean {
    return this.cells(r, gap).some((k) =>
      (this.buckets.get(k) ?? []).some(
        (b) =>
          r.x < b.x + b.w + gap && b.x < r.x + r.w + gap && r.y < b.y + b.h + gap && b.y < r.y + r.h + gap,
      ),
    );
  }
}
