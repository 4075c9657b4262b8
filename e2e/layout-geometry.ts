/**
 * What the layout spec measures on the page (issue 13): the namespace boxes and each drawn edge's
 * path sampled along its SVG geometry (both in flow coordinates, so the measure does not depend on
 * zoom), which edges pass over a box that is not one of their ends, and text drawn under 8 px.
 */
import type { Page } from '@playwright/test';
import type { Topology } from '../common/model.js';
import { edgesOverForeignBoxes } from '../common/crossings.js';
import type { DrawnBox, DrawnEdge } from '../common/crossings.js';
import { aggregateEdgeId } from '../client/src/graph/aggregate.js';
import { portEdgeId } from '../client/src/graph/structure.js';
import type { XY } from '../client/src/graph/types.js';

export interface PageGeometry {
  zoom: number;
  boxes: DrawnBox[];
  edges: Array<{ id: string; points: XY[] }>;
}

/** Boxes and sampled edge paths as drawn now (one read, so they belong to the same frame). */
export async function pageGeometry(page: Page, step = 6): Promise<PageGeometry> {
  return page.evaluate((every) => {
    const vp = document.querySelector<HTMLElement>('.react-flow__viewport');
    const m = vp ? /^matrix\(([^,]+),/.exec(getComputedStyle(vp).transform) : null;
    const zoom = m ? Number(m[1]) : 1;
    const boxes = Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node-namespace')).flatMap(
      (el) => {
        const t = /translate\(\s*(-?[\d.e+-]+)px,\s*(-?[\d.e+-]+)px\)/.exec(el.style.transform);
        const id = el.dataset['id'];
        return t && id
          ? [{ id, x: Number(t[1]), y: Number(t[2]), w: el.offsetWidth, h: el.offsetHeight }]
          : [];
      },
    );
    const edges = Array.from(document.querySelectorAll<SVGGElement>('.react-flow__edge')).flatMap((g) => {
      const path = g.querySelector<SVGPathElement>('path.react-flow__edge-path');
      const id = g.getAttribute('data-id');
      if (!path || !id) return [];
      const len = path.getTotalLength();
      const n = Math.max(2, Math.ceil(len / every));
      const points: Array<{ x: number; y: number }> = [];
      for (let k = 0; k <= n; k++) {
        const p = path.getPointAtLength((len * k) / n);
        points.push({ x: p.x, y: p.y });
      }
      return [{ id, points }];
    });
    return { zoom, boxes, edges };
  }, step);
}

/**
 * For every edge id the picture may draw (veth, fold, bridge port, a closed segment's edge), the
 * namespaces it joins (a closed segment's edge: its hub; its members are not drawn as boxes then).
 */
export function edgeEnds(t: Topology): Map<string, string[]> {
  const nsOf = new Map(t.interfaces.map((i) => [i.id, i.namespace]));
  const ends = new Map<string, string[]>();
  for (const l of t.links) ends.set(l.id, [nsOf.get(l.a) ?? '', nsOf.get(l.b) ?? '']);
  for (const i of t.interfaces) if (i.master) ends.set(portEdgeId(i.id, i.master), [i.namespace]);
  for (const n of t.namespaces) ends.set(aggregateEdgeId(n.id), [n.id]);
  return ends;
}

export interface CrossingFigure {
  /** Drawn edges with an end in `ours`. */
  edges: number;
  /** Those that pass over a namespace box other than their ends. */
  over: string[];
  share: number;
}

/** The issue's measure over the drawn edges that touch `ours` (other tests' boxes still count as boxes). */
export function crossings(
  g: PageGeometry,
  ends: Map<string, string[]>,
  ours: ReadonlySet<string>,
): CrossingFigure {
  const drawn: DrawnEdge[] = g.edges.flatMap((e) => {
    const at = ends.get(e.id);
    return at && at.some((n) => ours.has(n)) ? [{ id: e.id, ends: at, points: e.points }] : [];
  });
  const over = edgesOverForeignBoxes(drawn, g.boxes);
  return { edges: drawn.length, over, share: drawn.length ? over.length / drawn.length : 0 };
}

/** Text drawn on the canvas smaller than `minPx` on screen: visible, not transparent. */
export async function smallText(page: Page, minPx = 8): Promise<Array<{ text: string; px: number }>> {
  return page.evaluate((min) => {
    const vp = document.querySelector<HTMLElement>('.react-flow__viewport');
    if (!vp) return [];
    const m = /^matrix\(([^,]+),/.exec(getComputedStyle(vp).transform);
    const zoom = m ? Number(m[1]) : 1;
    const out: Array<{ text: string; px: number }> = [];
    const walker = document.createTreeWalker(vp, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = (n.textContent ?? '').trim();
      if (!el || !text || el.closest('title')) continue;
      if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      const style = getComputedStyle(el);
      const color = style.color.replace(/\s/g, '');
      if (color === 'transparent' || /,0\)$/.test(color)) continue;
      const px = parseFloat(style.fontSize) * zoom;
      if (px < min) out.push({ text, px });
    }
    return out;
  }, minPx);
}
