import { describe, expect, it } from 'vitest';
import { median, percentile, ratio, round, summarize } from './stats.js';

describe('bench stats', () => {
  it('takes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
  it('computes medians of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it('summarizes and computes ratios', () => {
    expect(summarize([5, 1, 9])).toEqual({ n: 3, min: 1, p50: 5, p95: 9, max: 9 });
    expect(ratio(10, 2)).toBe(5);
    expect(ratio(10, 0)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
  });
  it('rounds for display', () => {
    expect(round(3.14159)).toBe(3.14);
    expect(round(31.4159)).toBe(31.4);
    expect(round(314.159)).toBe(314);
  });
});
