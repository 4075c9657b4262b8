import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../common/model.js';
import { vethLinkId } from '../../../common/ids.js';
import { figure1, iface } from '../testing/fixture.js';
import {
  PENDING_EDGE_PREFIX,
  createdPending,
  failPending,
  nextDeadline,
  pendingEdges,
  pendingKey,
  realLinkFor,
  settlePending,
  startPending,
} from './pendingVeth.js';

const A = { namespace: 'ns-2', name: 'va' };
const B = { namespace: 'ns-3', name: 'vb' };
const key = pendingKey(A, B);
const all = () => true;

/** Figure 1 plus the pair A-B as the delta would bring it (ends only, or ends and link). */
function withPair(link: boolean): Topology {
  const t = figure1();
  t.interfaces.push(iface(2, 30, 'va', { peer: 'if-3-31' }), iface(3, 31, 'vb', { peer: 'if-2-30' }));
  if (link) t.links.push({ id: vethLinkId('if-2-30', 'if-3-31'), kind: 'veth', a: 'if-2-30', b: 'if-3-31' });
  return t;
}

describe('pending veth edges', () => {
  it('draws one dashed edge between the two boxes while the request runs', () => {
    const list = startPending([], A, B);
    const edges = pendingEdges(list, figure1(), all);
    expect(edges).toHaveLength(1);
    expect(edges[0]).toMatchObject({
      id: `${PENDING_EDGE_PREFIX}${key}`,
      type: 'pendingVeth',
      source: 'ns-2',
      target: 'ns-3',
      className: 'pending-veth',
      data: { label: 'va ↔ vb', phase: 'requesting' },
    });
  });

  it('is removed when the request fails', () => {
    const list = failPending(startPending([], A, B), key);
    expect(list).toEqual([]);
    expect(pendingEdges(list, figure1(), all)).toEqual([]);
  });

  it('stays after success until the real link arrives, then settles away', () => {
    const list = createdPending(startPending([], A, B), key, 1000);
    expect(list[0]?.phase).toBe('created');
    // The server answered but the delta is late: still pending (ends without link do not count).
    expect(settlePending(list, withPair(false), 2000)).toBe(list);
    expect(pendingEdges(list, withPair(false), all)).toHaveLength(1);
    expect(realLinkFor(list[0]!, withPair(true))).toBe(vethLinkId('if-2-30', 'if-3-31'));
    expect(settlePending(list, withPair(true), 2000)).toEqual([]);
  });

  it('times out when the delta never comes', () => {
    const list = createdPending(startPending([], A, B), key, 1000);
    expect(nextDeadline(list, 5000)).toBe(6000);
    expect(settlePending(list, figure1(), 5999, 5000)).toHaveLength(1);
    expect(settlePending(list, figure1(), 6000, 5000)).toEqual([]);
  });

  it('never settles a request still running, but hides it once the real edge is drawn', () => {
    const list = startPending([], A, B);
    expect(settlePending(list, withPair(true), 1e12)).toBe(list);
    expect(nextDeadline(list)).toBeNull();
    expect(pendingEdges(list, withPair(true), all)).toEqual([]);
  });

  it('draws nothing for a box that is not on the canvas (hidden kind)', () => {
    const list = startPending([], A, B);
    expect(pendingEdges(list, figure1(), (id) => id !== 'ns-3')).toEqual([]);
  });

  it('loops on one box when both ends are in one namespace, and a retry replaces its entry', () => {
    const same = { namespace: 'ns-2', name: 'vc' };
    let list = startPending([], A, same);
    list = startPending(list, A, same);
    expect(list).toHaveLength(1);
    const [e] = pendingEdges(list, figure1(), all);
    expect(e?.source).toBe('ns-2');
    expect(e?.target).toBe('ns-2');
  });
});
