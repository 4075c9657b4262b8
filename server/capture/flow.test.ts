import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter, TimeMerger, parseDrops, ratePerSecond } from './flow.js';

describe('TimeMerger', () => {
  it('releases packets in time order once they are older than the hold time', () => {
    const m = new TimeMerger<{ tsUs: number; ifIndex: number; name: string }>(3, 100);
    m.push({ tsUs: 1000, ifIndex: 0, name: 'request on a' });
    m.push({ tsUs: 1040, ifIndex: 0, name: 'reply on a' });
    m.push({ tsUs: 1010, ifIndex: 1, name: 'request on b' });
    m.push({ tsUs: 1030, ifIndex: 1, name: 'reply on b' });
    expect(m.drain(1135).map((p) => p.name)).toEqual(['request on a', 'request on b', 'reply on b']);
    expect(m.size).toBe(1);
    expect(m.drain(1135)).toEqual([]);
    expect(m.drain(0, true).map((p) => p.name)).toEqual(['reply on a']);
  });

  it('outputs every packet exactly once, sorted within each drain, whatever the arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 80,
        }),
        fc.array(fc.integer({ min: 0, max: 12_000 }), { maxLength: 10 }),
        (packets, drains) => {
          const m = new TimeMerger<{ tsUs: number; ifIndex: number; k: number }>(4, 500);
          const out: number[] = [];
          packets.forEach(([tsUs, ifIndex], k) => m.push({ tsUs, ifIndex, k }));
          for (const now of drains.sort((a, b) => a - b)) {
            const got = m.drain(now);
            for (let i = 1; i < got.length; i++)
              expect(got[i]!.tsUs).toBeGreaterThanOrEqual(got[i - 1]!.tsUs);
            out.push(...got.map((p) => p.k));
          }
          out.push(...m.drain(0, true).map((p) => p.k));
          expect(out.sort((a, b) => a - b)).toEqual(packets.map((_, k) => k));
        },
      ),
    );
  });

  it('in-order streams come out globally in time order, however they interleave', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 20 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.nat(), { maxLength: 100 }),
        (streams, picks) => {
          const queues = streams.map((s, i) =>
            [...s].sort((a, b) => a - b).map((tsUs) => ({ tsUs, ifIndex: i })),
          );
          const m = new TimeMerger<{ tsUs: number; ifIndex: number }>(queues.length, 1e9);
          const out: number[] = [];
          for (const pick of picks) {
            const q = queues.filter((x) => x.length > 0);
            if (q.length === 0) break;
            m.push(q[pick % q.length]!.shift()!);
            out.push(...m.drain(0).map((p) => p.tsUs));
          }
          for (const q of queues) for (const p of q.splice(0)) m.push(p);
          out.push(...m.drain(0, true).map((p) => p.tsUs));
          expect(out).toEqual(streams.flat().sort((a, b) => a - b));
        },
      ),
    );
  });

  it('releases early what every other interface has already passed', () => {
    const m = new TimeMerger<{ tsUs: number; ifIndex: number; name: string }>(2, 1_000_000);
    m.push({ tsUs: 1000, ifIndex: 0, name: 'request on a' });
    m.push({ tsUs: 1040, ifIndex: 0, name: 'reply on a' });
    // b has not spoken yet: a's packets wait (b may still deliver something older).
    expect(m.drain(2000)).toEqual([]);
    m.push({ tsUs: 1010, ifIndex: 1, name: 'request on b' });
    m.push({ tsUs: 1030, ifIndex: 1, name: 'reply on b' });
    // Everything up to b's latest (1030) is safe; a's 1040 waits for b or the hold time.
    expect(m.drain(2000).map((p) => p.name)).toEqual(['request on a', 'request on b', 'reply on b']);
    expect(m.drain(1_001_040).map((p) => p.name)).toEqual(['reply on a']);
  });
});

describe('RateLimiter', () => {
  it('lets a burst through, then the rate', () => {
    const r = new RateLimiter(50, 10);
    let passed = 0;
    for (let i = 0; i < 100; i++) if (r.take(0)) passed++;
    expect(passed).toBe(10);
    // One second later: 50 more tokens, capped at the burst of 10.
    for (let i = 0; i < 100; i++) if (r.take(1000)) passed++;
    expect(passed).toBe(20);
    // Over 10 s of a steady 10,000 packets per second: about 50 a second.
    let steady = 0;
    for (let ms = 1000; ms < 11_000; ms += 1) for (let k = 0; k < 10; k++) if (r.take(ms)) steady++;
    expect(steady).toBeGreaterThanOrEqual(495);
    expect(steady).toBeLessThanOrEqual(510);
  });
});

describe('helpers', () => {
  it('rates and drop lines', () => {
    expect(ratePerSecond(10, 30, 500)).toBe(40);
    expect(ratePerSecond(10, 30, 0)).toBe(0);
    expect(
      parseDrops('tcpdump: 14 packets captured, 14 packets received by filter, 3 packets dropped by kernel'),
    ).toBe(3);
    expect(parseDrops('1 packet dropped by kernel')).toBe(1);
    expect(parseDrops('listening on x')).toBeNull();
  });
});
