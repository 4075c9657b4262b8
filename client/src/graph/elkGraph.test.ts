import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { figure1 } from '../testing/fixture.js';
import { LARGE_GRAPH, elkLayout, toElkGraph } from './elkGraph.js';
import { BOX_GAP, LAYER_GAP } from './spacing.js';
import { buildStructure } from './structure.js';
import type { ViewOptions } from './types.js';

const elk = new ELK();
const view: ViewOptions = { showLoopback: false, hiddenKinds: new Set() };

describe('elkLayout', () => {
  it('places every box and interface, interfaces inside their box', async () => {
    const s = buildStructure(figure1(), view);
    const l = await elkLayout(s, elk);
    for (const n of s.namespaces) {
      const size = l.size[n.id]!;
      expect(l.pos[n.id]).toBeDefined();
      for (const c of n.children) {
        const p = l.pos[c.id]!;
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x + c.w).toBeLessThanOrEqual(size.w + 0.5);
        expect(p.y + c.h).toBeLessThanOrEqual(size.h + 0.5);
      }
    }
    // Figure 1: containers above the host.
    expect(l.pos['ns-2']!.y).toBeLessThan(l.pos['ns-1']!.y);
  });
});

describe('toElkGraph', () => {
  it('spaces boxes and layers with the named gaps, and has every box and interface', () => {
    const s = buildStructure(figure1(), view);
    expect(s.namespaces.length).toBeLessThanOrEqual(LARGE_GRAPH);
    const g = toElkGraph(s);
    expect(g.layoutOptions?.['elk.spacing.nodeNode']).toBe(String(BOX_GAP));
    expect(g.layoutOptions?.['elk.layered.spacing.nodeNodeBetweenLayers']).toBe(String(LAYER_GAP));
    expect(g.children?.map((c) => c.id)).toEqual(s.namespaces.map((n) => n.id));
    expect(g.children?.flatMap((c) => c.children ?? []).length).toBe(
      s.namespaces.reduce((k, n) => k + n.children.length, 0),
    );
    expect(g.edges?.length).toBe(s.edges.length);
  });
});
