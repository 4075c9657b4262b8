import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../common/model.js';
import { BR0, BR1, HUB_NS, hubTopology, memberInode } from '../testing/hubFixture.js';
import {
  AGGREGATE_MIN,
  OPEN_ZOOM,
  aggregateEdgeId,
  aggregateId,
  aggregateOf,
  closedAggregates,
  findAggregates,
  isZoomedOut,
  withAggregates,
} from './aggregate.js';
import { foldPorts } from './fold.js';
import { placeStable } from './placement.js';
import { segmentLayout } from './segmentLayout.js';
import { findHubs } from './segments.js';
import { buildStructure } from './structure.js';
import { toFlow } from './toFlow.js';
import type { ViewOptions } from './types.js';

const view: ViewOptions = { showLoopback: false, hiddenKinds: new Set() };
const member = (k: number): string => `ns-${memberInode(k)}`;

/** Sets members' eth0 down (operationally, as `ip link set down` does to its state). */
function down(t: Topology, ks: number[]): Topology {
  const ids = new Set(ks.map((k) => `if-${memberInode(k)}-2`));
  return {
    ...t,
    interfaces: t.interfaces.map((i) =>
      ids.has(i.id)
        ? { ...i, state: 'DOWN', flags: i.flags.filter((f) => f !== 'UP' && f !== 'LOWER_UP') }
        : i,
    ),
  };
}

function picture(t: Topology) {
  const s = foldPorts(t, buildStructure(t, view));
  const hubs = findHubs(t, s);
  const layout = placeStable({ pos: {}, size: {} }, segmentLayout(s, hubs), s);
  return { s, hubs, layout, flow: toFlow(t, s, layout, { changed: new Set(), hit: null }) };
}

describe('findAggregates', () => {
  it('aggregates a segment of AGGREGATE_MIN members and counts them from the model', () => {
    const t = down(hubTopology(AGGREGATE_MIN), [0, 5, 7]);
    const [a, ...rest] = findAggregates(t, findHubs(t, buildStructure(t, view)));
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ id: aggregateId(HUB_NS), hub: HUB_NS, target: BR0, title: 'br0' });
    expect(a!.members).toHaveLength(AGGREGATE_MIN);
    expect(a!.summary).toEqual({ members: AGGREGATE_MIN, up: AGGREGATE_MIN - 3, down: 3 });
  });

  it('leaves a smaller segment alone', () => {
    const t = hubTopology(AGGREGATE_MIN - 1);
    expect(findAggregates(t, findHubs(t, buildStructure(t, view)))).toEqual([]);
  });

  it('leads the edge to the bridge most members are ports of', () => {
    const t = hubTopology(25, { second: 30 });
    const [a] = findAggregates(t, findHubs(t, buildStructure(t, view)));
    expect(a?.target).toBe(BR1);
    expect(a?.summary.members).toBe(55);
  });
});

describe('which aggregates are drawn closed', () => {
  const t = hubTopology(30);
  const all = findAggregates(t, findHubs(t, buildStructure(t, view)));

  it('closes them below OPEN_ZOOM only, except the opened ones', () => {
    expect(isZoomedOut(OPEN_ZOOM - 0.01)).toBe(true);
    expect(isZoomedOut(OPEN_ZOOM)).toBe(false);
    expect(closedAggregates(all, true, new Set())).toEqual(all);
    expect(closedAggregates(all, false, new Set())).toEqual([]);
    expect(closedAggregates(all, true, new Set([aggregateId(HUB_NS)]))).toEqual([]);
  });

  it('finds the aggregate of a member or of its interface, not of the hub', () => {
    const nsOf = (id: string) => id.replace(/^if-(\d+)-\d+$/, 'ns-$1');
    expect(aggregateOf(all, member(3), nsOf)).toBe(aggregateId(HUB_NS));
    expect(aggregateOf(all, `if-${memberInode(3)}-2`, nsOf)).toBe(aggregateId(HUB_NS));
    expect(aggregateOf(all, HUB_NS, nsOf)).toBeNull();
  });
});

describe('withAggregates', () => {
  it('draws the members as one node over their places, under the hub, with one edge to the bridge', () => {
    const t = hubTopology(80);
    const { hubs, layout, flow } = picture(t);
    const all = findAggregates(t, hubs);
    const out = withAggregates(flow, all, layout);
    const ids = new Set(out.nodes.map((n) => n.id));
    for (let k = 0; k < 80; k++) {
      expect(ids.has(member(k))).toBe(false);
      expect(ids.has(`if-${memberInode(k)}-2`)).toBe(false);
      expect(out.folded.get(member(k))).toBe(aggregateId(HUB_NS));
    }
    expect(ids.has(HUB_NS) && ids.has(BR0)).toBe(true);
    expect(out.nodes[0]?.id).toBe(aggregateId(HUB_NS));
    // Every member's place lies inside the aggregate, and so does the hub.
    const a = out.nodes[0]!;
    const inside = (id: string) => {
      const p = layout.pos[id]!;
      const s = layout.size[id]!;
      return (
        p.x >= a.position.x &&
        p.y >= a.position.y &&
        p.x + s.w <= a.position.x + a.width! &&
        p.y + s.h <= a.position.y + a.height!
      );
    };
    for (let k = 0; k < 80; k++) expect(inside(member(k))).toBe(true);
    expect(inside(HUB_NS)).toBe(true);
    expect(out.edges.map((e) => e.id)).toEqual([aggregateEdgeId(HUB_NS)]);
    expect(out.edges[0]).toMatchObject({ source: aggregateId(HUB_NS), target: BR0 });
  });

  it('changes nothing when no aggregate is closed', () => {
    const t = hubTopology(30);
    const { layout, flow } = picture(t);
    const out = withAggregates(flow, [], layout);
    expect(out.nodes).toBe(flow.nodes);
    expect(out.edges).toBe(flow.edges);
  });
});
