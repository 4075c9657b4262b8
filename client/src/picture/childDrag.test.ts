import { describe, expect, it } from 'vitest';
import { childDrag } from './childDrag.js';

describe('childDrag', () => {
  const laidOut = { x: 16, y: 80 };

  it('follows the pointer while dragged and remembers where it came from', () => {
    const first = childDrag({ position: { x: 40, y: 90 }, dragging: true }, laidOut, undefined);
    expect(first).toEqual({ position: { x: 40, y: 90 }, home: laidOut });
    // The layout now holds the dragged place; home stays the original one.
    const next = childDrag({ position: { x: 60, y: 120 }, dragging: true }, first.position, first.home);
    expect(next).toEqual({ position: { x: 60, y: 120 }, home: laidOut });
  });

  it('snaps back home when the drag ends, wherever it was dropped', () => {
    const end = childDrag({ position: { x: 60, y: 120 }, dragging: false }, { x: 60, y: 120 }, laidOut);
    expect(end).toEqual({ position: laidOut, home: undefined });
  });

  it('without a remembered home, keeps the laid-out place (an aborted drag)', () => {
    expect(childDrag({ position: { x: 1, y: 2 }, dragging: false }, laidOut, undefined)).toEqual({
      position: laidOut,
      home: undefined,
    });
  });
});
