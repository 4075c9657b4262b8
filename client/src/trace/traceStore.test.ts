import { describe, expect, it } from 'vitest';
import type { TraceResponse } from '../../../common/trace.js';
import { carryProbe } from './traceStore.js';

const answer = (over: Partial<TraceResponse>): TraceResponse => ({
  verdict: 'unreachable',
  hops: [],
  failedAt: null,
  returnPath: null,
  probe: null,
  disagreement: null,
  source: null,
  namespaces: [],
  ...over,
});
const failedProbe = { ok: false, rttMs: null, error: 'timeout', command: 'tcp connect to 10.1.1.1 port 80' };

describe('a re-run keeps the probe the user asked for', () => {
  it('carries the last probe into an answer without one, agreeing', () => {
    const next = carryProbe(answer({ probe: failedProbe }), answer({}));
    expect(next.probe).toEqual(failedProbe);
    expect(next.disagreement).toBeNull();
  });
  it('says so when the new verdict disagrees with that probe', () => {
    const next = carryProbe(answer({ probe: failedProbe }), answer({ verdict: 'reachable' }));
    expect(next.disagreement).toMatch(
      /now predicts reachable, but the probe \(sent before the change\) failed/,
    );
  });
  it('leaves an answer with its own probe, and one with no probe before, as they are', () => {
    const own = answer({ probe: { ...failedProbe, ok: true, error: null, rttMs: 1 } });
    expect(carryProbe(answer({ probe: failedProbe }), own)).toBe(own);
    const plain = answer({});
    expect(carryProbe(answer({}), plain)).toBe(plain);
    expect(carryProbe(null, plain)).toBe(plain);
  });
});
