import { describe, expect, it } from 'vitest';
import { borderPoint, floatingEnds } from './geometry.js';

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
