import { describe, expect, it } from 'vitest';
import { emptyTopology } from '../../../common/model.js';
import type { DeltaMessage } from '../../../common/protocol.js';
import { figure1 } from '../testing/fixture.js';
import { backoffDelay, liveUrl, resumePoint, step } from './sequence.js';

const snap = {
  type: 'snapshot',
  protocol: 1,
  epoch: 'e1',
  seq: 5,
  topology: emptyTopology(),
  readOnly: false,
} as const;

describe('step', () => {
  it('applies a snapshot then the next delta', () => {
    const s1 = step(null, snap);
    expect(s1.kind).toBe('snapshot');
    if (s1.kind !== 'snapshot') return;
    const host = figure1().namespaces[0]!;
    const d: DeltaMessage = {
      type: 'delta',
      epoch: 'e1',
      seq: 6,
      ops: [{ op: 'put', entity: 'namespace', value: host }],
    };
    const s2 = step(s1.state, d);
    expect(s2.kind).toBe('delta');
    if (s2.kind !== 'delta') return;
    expect(s2.state.seq).toBe(6);
    expect(s2.state.topology.namespaces).toEqual([host]);
  });
  it('asks for a resync on a gap, a new epoch or a delta before any snapshot', () => {
    const s1 = step(null, snap);
    if (s1.kind !== 'snapshot') throw new Error('no snapshot');
    expect(step(s1.state, { type: 'delta', epoch: 'e1', seq: 7, ops: [] }).kind).toBe('resync');
    expect(step(s1.state, { type: 'delta', epoch: 'e2', seq: 6, ops: [] }).kind).toBe('resync');
    expect(step(null, { type: 'delta', epoch: 'e1', seq: 6, ops: [] }).kind).toBe('resync');
    expect(step(s1.state, { type: 'delta', epoch: 'e1', seq: 5, ops: [] }).kind).toBe('ignore');
  });
});

describe('backoffDelay', () => {
  it('grows from about 1 s to at most 30 s with jitter', () => {
    expect(backoffDelay(0, 0)).toBe(500);
    expect(backoffDelay(0, 1)).toBe(1000);
    expect(backoffDelay(3, 1)).toBe(8000);
    expect(backoffDelay(20, 1)).toBe(30_000);
    expect(backoffDelay(20, 0)).toBe(15_000);
  });
});

describe('resumePoint / liveUrl', () => {
  it('resumes after the last applied message, and starts afresh without one', () => {
    const s1 = step(null, snap);
    if (s1.kind !== 'snapshot') throw new Error('no snapshot');
    expect(resumePoint(s1.state)).toEqual({ epoch: 'e1', lastSeq: 5 });
    expect(resumePoint(null)).toBeNull();
    const loc = { protocol: 'https:', host: 'h:1' };
    expect(liveUrl(loc)).toBe('wss://h:1/api/live');
    expect(liveUrl(loc, { epoch: 'a b', lastSeq: 7 })).toBe('wss://h:1/api/live?epoch=a+b&lastSeq=7');
  });
});
