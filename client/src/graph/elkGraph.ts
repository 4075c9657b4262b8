/**
 * The automatic layout: the structure as one compound ELK graph (root -> namespace boxes ->
 * interfaces), ELK's answer back as a Layout, and the run that packs crowded boxes. Pure apart
 * from the engine it is handed (a web worker on the page, the bundled ELK in tests). Keeping
 * what is already on screen in place is a separate step: placement.ts.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { crowdedBoxes, fillPackedBoxes, packedEdges, packedSize, wideBoxes } from './pack.js';
import {
  BOX_GAP,
  CHILD_GAP,
  ELK_CHILD_GAP,
  LAYER_GAP,
  NS_HEADER,
  NS_MIN_H,
  NS_MIN_W,
  NS_PAD,
} from './spacing.js';
import type { Structure } from './structure.js';
import type { Layout } from './types.js';

/** What the layout needs of ELK: a worker-backed ELK on the page, the bundled one in tests. */
export interface LayoutEngine {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/** Above this many boxes a layered picture gets too wide; pack boxes in rows instead. */
export const LARGE_GRAPH = 60;
/** Width to height ELK's rectpacking aims at: the picture as a whole, and one packed box. */
const PICTURE_ASPECT = 1.6;
const BOX_ASPECT = 2.5;

const str = (n: number): string => String(n);

/**
 * The compound graph ELK lays out. Boxes in `packed` are blocks of their grid's size with no
 * children, and edges to their interfaces end at the block (see pack.ts).
 */
export function toElkGraph(s: Structure, packed: ReadonlySet<string> = new Set()): ElkNode {
  const large = s.namespaces.length > LARGE_GRAPH;
  const padding = `[top=${NS_HEADER},left=${NS_PAD},bottom=${NS_PAD},right=${NS_PAD}]`;
  const boxOptions: Record<string, string> = large
    ? {
        'elk.algorithm': 'rectpacking',
        'elk.padding': padding,
        'elk.spacing.nodeNode': str(CHILD_GAP),
        'elk.aspectRatio': str(BOX_ASPECT),
      }
    : { 'elk.padding': padding, 'elk.spacing.nodeNode': str(ELK_CHILD_GAP) };
  const root: ElkNode = {
    id: 'root',
    layoutOptions: large
      ? {
          'elk.algorithm': 'rectpacking',
          'elk.spacing.nodeNode': str(BOX_GAP),
          'elk.aspectRatio': str(PICTURE_ASPECT),
        }
      : {
          'elk.algorithm': 'layered',
          // Must sit on the graph itself so edges may cross box borders (kieler/elkjs#178).
          'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
          'elk.direction': 'DOWN',
          'elk.spacing.nodeNode': str(BOX_GAP),
          'elk.layered.spacing.nodeNodeBetweenLayers': str(LAYER_GAP),
          'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
        },
    children: s.namespaces.map((n): ElkNode => {
      if (packed.has(n.id)) {
        const size = packedSize(n);
        return { id: n.id, width: size.w, height: size.h };
      }
      return {
        id: n.id,
        layoutOptions: { ...boxOptions, 'elk.nodeSize.minimum': `(${NS_MIN_W}, ${NS_MIN_H})` },
        ...(n.children.length === 0 ? { width: NS_MIN_W, height: NS_MIN_H } : {}),
        children: n.children.map((c) => ({ id: c.id, width: c.w, height: c.h })),
      };
    }),
    edges: large
      ? []
      : packedEdges(s, packed).map((e): ElkExtendedEdge => ({
          id: e.id,
          sources: [e.source],
          targets: [e.target],
        })),
  };
  return root;
}

export function fromElkGraph(g: ElkNode): Layout {
  const layout: Layout = { pos: {}, size: {} };
  for (const n of g.children ?? []) {
    layout.pos[n.id] = { x: n.x ?? 0, y: n.y ?? 0 };
    // ELK draws a box with one interface narrower than the minimum box (elk.nodeSize.minimum
    // has no effect on it here); fitBox does not, so such a box counted as grown on the first
    // live change and pushed its neighbours down: the whole picture jumped.
    layout.size[n.id] = {
      w: Math.max(n.width ?? 0, NS_MIN_W),
      h: Math.max(n.height ?? 0, NS_MIN_H),
    };
    for (const c of n.children ?? []) layout.pos[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  }
  return layout;
}

/**
 * ELK positions for every box and interface of the structure. Boxes with many interfaces are
 * packed into grids (pack.ts); a box that still comes out too wide is packed as well and
 * everything is laid out again around it.
 */
export async function elkLayout(s: Structure, engine: LayoutEngine): Promise<Layout> {
  const crowded = crowdedBoxes(s);
  const first = fromElkGraph(await engine.layout(toElkGraph(s, crowded)));
  const wide = wideBoxes(s, first, crowded);
  if (wide.size === 0) return fillPackedBoxes(s, first, crowded);
  const packed = new Set([...crowded, ...wide]);
  return fillPackedBoxes(s, fromElkGraph(await engine.layout(toElkGraph(s, packed))), packed);
}
