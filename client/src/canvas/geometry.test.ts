import { describe, expect, it } from 'vitest';
import { LOOP_OUT, borderPoint, boxesBounds, floatingEnds, selfLoop } from './geometry.js';

describe('floating edge geometry', () => {
  it('leaves a box through the side facing the other box', () => {
    expect(borderPoint({ x: 0, y: 0, w: 100, h: 50 }, { x: 50, y: 500 })).toEqual({ x: 50, y: 50 });
    expect(borderPoint({ x: 0, y: 0, w: 100, h: 50 }, { x: 1000, y: 25 })).toEqual({ x: 100, y: 25 });
    expect(floatingEnds({ x: 0, y: 0, w: 10, h: 10 }, { x: 0, y: 100, w: 10, h: 10 })).toEqual({
      sx: 5,
      sy: 10,
      tx: 5,
      ty: 100,
    });
  });
});

describe('boxesBounds', () => {
  it('spans the top-level boxes and ignores children', () => {
    const nodes = [
      { position: { x: -10, y: 5 }, width: 100, height: 50 },
      { position: { x: 200, y: 300 }, width: 40, height: 60 },
      { position: { x: 5000, y: 5000 }, width: 10, height: 10, parentId: 'a' },
    ];
    expect(boxesBounds(nodes)).toEqual({ x: -10, y: 5, w: 250, h: 355 });
    expect(boxesBounds([])).toBeNull();
  });
});

describe('selfLoop', () => {
  it('leaves and re-enters the right side of the box, bulging outwards', () => {
    const l = selfLoop({ x: 10, y: 0, w: 100, h: 100 });
    expect(l.path).toBe(`M 110 30 C ${110 + LOOP_OUT} 6, ${110 + LOOP_OUT} 94, 110 70`);
    expect(l.labelX).toBeGreaterThan(110);
    expect(l.labelY).toBe(50);
  });
});
