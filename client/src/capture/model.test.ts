import { describe, expect, it } from 'vitest';
import { emptyCounters } from '../../../common/capture.js';
import type { PacketSummary } from '../../../common/capture.js';
import { appendRows, countersLine, formatTime, nextRates } from './model.js';

const row = (n: number): PacketSummary => ({
  n,
  tsUs: n,
  iface: 'if-1-2',
  src: 'a',
  dst: 'b',
  protocol: 'ICMP',
  length: 98,
  summary: '',
});

describe('capture panel model', () => {
  it('keeps the newest rows up to the cap', () => {
    const rows = appendRows([row(1), row(2)], [row(3), row(4)], 3);
    expect(rows.map((r) => r.n)).toEqual([2, 3, 4]);
  });

  it('computes rates over at least a second', () => {
    const c = (n: number) => ({ ...emptyCounters(), perInterface: { 'if-1-2': n } });
    let s = nextRates(null, {}, c(0), 0);
    expect(s.rates).toEqual({ 'if-1-2': 0 });
    s = nextRates(s.sample, s.rates, c(50), 500);
    expect(s.rates).toEqual({ 'if-1-2': 0 });
    s = nextRates(s.sample, s.rates, c(200), 2000);
    expect(s.rates).toEqual({ 'if-1-2': 100 });
    expect(s.sample.atMs).toBe(2000);
  });

  it('formats counters and times', () => {
    expect(countersLine({ ...emptyCounters(), packets: 3, bytes: 2048, drops: 1, notShown: 2 })).toBe(
      '3 packets, 2.0 KiB, 1 dropped, 2 not shown',
    );
    expect(formatTime(1_000_000_123_456)).toMatch(/^\d\d:\d\d:\d\d\.123456$/);
  });
});
