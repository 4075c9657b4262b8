/**
 * The picture controller: topology -> structure -> layout -> stable placement -> React Flow
 * nodes and edges. It runs ELK for the first picture and for Re-layout (one run at a time, the
 * newest ticket wins), draws an instant grid for large pictures, keeps dragged places (saved for
 * the next visit), snaps dragged interfaces back home and briefly marks what a delta changed.
 * A plain object over a vanilla store: no React, no module state, the ELK engine, the position
 * storage and the timer are handed in, so tests drive it directly.
 */
import { applyEdgeChanges, applyNodeChanges } from '@xyflow/react';
import type { EdgeSelectionChange } from '@xyflow/react';
import { createStore } from 'zustand/vanilla';
import { namespaceOfId } from '../../../common/ids.js';
import type { Topology } from '../../../common/model.js';
import { LARGE_GRAPH, elkLayout } from '../graph/elkGraph.js';
import { aggregateOf, closedAggregates, findAggregates, withAggregates } from '../graph/aggregate.js';
import { foldPorts } from '../graph/fold.js';
import { segmentLayout } from '../graph/segmentLayout.js';
import { bandByNode } from '../cluster/nodeBands.js';
import { findHubs } from '../graph/segments.js';
import { mergeEdges, mergeNodes } from '../graph/merge.js';
import { EMPTY_LAYOUT, placeStable } from '../graph/placement.js';
import { buildStructure } from '../graph/structure.js';
import type { Structure } from '../graph/structure.js';
import { toFlow } from '../graph/toFlow.js';
import type { FlowEdge, Layout, ViewOptions, XY } from '../graph/types.js';
import { childDrag } from './childDrag.js';

import type { Picture, PictureDeps, PictureState } from './pictureTypes.js';

export type { Picture, PictureDeps, PictureState };

/** How long a changed thing stays highlighted. */
export const FLASH_MS = 2000;

export function createPicture(deps: PictureDeps): Picture {
  const later = deps.later ?? ((fn: () => void, ms: number) => void setTimeout(fn, ms));
  const store = createStore<PictureState>()(() => ({
    view: { showLoopback: false, hiddenKinds: new Set() },
    structure: { namespaces: [], edges: [], key: '' },
    layout: EMPTY_LAYOUT,
    layoutRuns: 0,
    nodes: [],
    edges: [],
    changed: new Set(),
    hit: null,
    errors: [],
    diff: null,
    foldPorts: true,
    aggregates: [],
    // The first large picture is an overview (fitted whole), so it starts zoomed out.
    zoomedOut: true,
    opened: new Set(),
    folded: new Map(),
  }));
  const get = store.getState;
  const set = store.setState;
  let topology: Topology | null = null;
  let userPos: Record<string, XY> = deps.saved.load();
  let ticket = 0;
  let elkRunning = false;
  /** Where dragged interfaces came from: they snap back there at the end (see childDrag). */
  const childHome = new Map<string, XY>();

  /** Re-derives nodes and edges, keeping unchanged objects (structural sharing). */
  function rebuild(): void {
    const s = get();
    if (!topology) return;
    const all = toFlow(topology, s.structure, s.layout, { changed: s.changed, hit: s.hit, diff: s.diff });
    const closed = closedAggregates(s.aggregates, s.zoomedOut, s.opened);
    const flow = withAggregates(all, closed, s.layout);
    set({
      nodes: mergeNodes(s.nodes, flow.nodes),
      edges: mergeEdges(s.edges, flow.edges),
      folded: flow.folded,
    });
  }

  /**
   * On a structural change: places new things at once next to what is on screen (pure, no
   * jumps), and runs ELK only for the first picture or a requested re-layout. One ELK run at a
   * time; its result is merged into whatever the structure is when it lands, so a busy machine
   * whose namespaces churn every second cannot starve the first layout.
   */
  function restructure(force = false): void {
    const s = get();
    if (!topology) return;
    const built = buildStructure(topology, s.view);
    const structure = s.foldPorts ? foldPorts(topology, built) : built;
    const placedAny = structure.namespaces.some((n) => s.layout.pos[n.id]);
    const large = structure.namespaces.length > LARGE_GRAPH;
    const hubs = large ? findHubs(topology, structure) : [];
    set({ aggregates: findAggregates(topology, hubs) });
    if (large && (force || (!placedAny && !elkRunning))) {
      // ELK needs seconds for hundreds of boxes and packs them in rows, which loses the
      // segments: the first picture and Re-layout draw the instant segment layout instead.
      // A run still going (started while the picture was small) is dropped.
      ticket++;
      elkRunning = false;
      set({ structure });
      adopt(segmentLayout(structure, hubs), force);
      return;
    }
    if (force || (!placedAny && !elkRunning)) {
      set({ structure });
      rebuild();
      runElk(force);
      return;
    }
    if (structure.key === s.structure.key || elkRunning) set({ structure });
    else {
      // In a large picture a new member takes its slot beside its hub when that slot is free.
      const fresh = large ? segmentLayout(structure, hubs) : EMPTY_LAYOUT;
      // Hub mode: new boxes of a node join its block (one block per node, nodeBands.ts).
      set({ structure, layout: bandByNode(place(s.layout, fresh, structure), topology.namespaces) });
    }
    rebuild();
  }

  function runElk(force: boolean): void {
    const mine = ++ticket;
    elkRunning = true;
    void elkLayout(get().structure, deps.engine)
      .then(
        (fresh) => {
          if (mine === ticket) adopt(fresh, force);
        },
        (err: unknown) => {
          if (mine === ticket) set({ errors: [...get().errors, `layout failed: ${String(err)}`] });
        },
      )
      .finally(() => {
        if (mine === ticket) elkRunning = false;
      });
  }

  /**
   * Stable placement over where things are when nothing is dragged: an interface being dragged
   * counts at its home (at the pointer it would push its siblings away for good, as if it had
   * grown), and is drawn at the pointer again afterwards.
   */
  function place(prev: Layout, fresh: Layout, structure: Structure): Layout {
    if (childHome.size === 0) return placeStable(prev, fresh, structure);
    const pos = { ...prev.pos };
    for (const [id, home] of childHome) if (pos[id]) pos[id] = home;
    const out = placeStable({ pos, size: prev.size }, fresh, structure);
    for (const id of childHome.keys()) {
      const pointer = prev.pos[id];
      if (pointer && out.pos[id]) out.pos[id] = pointer;
    }
    return out;
  }

  /** Merges a fresh layout into what is on screen; user-dragged places win. */
  function adopt(fresh: Layout, force: boolean): void {
    const cur = get();
    const merged = place(force ? EMPTY_LAYOUT : cur.layout, fresh, cur.structure);
    const boxes = new Set(cur.structure.namespaces.map((n) => n.id));
    // Only boxes keep a user's place (older versions also stored interface places).
    for (const [id, p] of Object.entries(userPos)) if (boxes.has(id) && merged.pos[id]) merged.pos[id] = p;
    // Hub mode: one block per node (nodeBands.ts).
    set({ layout: bandByNode(merged, topology?.namespaces ?? []), layoutRuns: cur.layoutRuns + 1 });
    rebuild();
  }

  function flash(ids: readonly string[]): void {
    if (ids.length === 0) return;
    set({ changed: new Set([...get().changed, ...ids]) });
    later(() => {
      const left = new Set(get().changed);
      for (const id of ids) left.delete(id);
      set({ changed: left });
      rebuild();
    }, FLASH_MS);
  }

  function setView(view: ViewOptions): void {
    set({ view });
    restructure();
  }

  return {
    store,
    showTopology(t, changed = []) {
      topology = t;
      flash(changed);
      restructure();
    },
    setShowLoopback(showLoopback) {
      setView({ ...get().view, showLoopback });
    },
    toggleKind(kind) {
      const hiddenKinds = new Set(get().view.hiddenKinds);
      if (hiddenKinds.has(kind)) hiddenKinds.delete(kind);
      else hiddenKinds.add(kind);
      setView({ ...get().view, hiddenKinds });
    },
    setCluster(hiddenNodes, crossLinks) {
      setView({ ...get().view, hiddenNodes, crossLinks });
    },
    setFoldPorts(foldPorts) {
      set({ foldPorts });
      restructure();
    },
    setHit(hit) {
      const inside = hit ? aggregateOf(get().aggregates, hit, (id) => namespaceOfId(id) ?? id) : null;
      set({ hit, ...(inside ? { opened: new Set([...get().opened, inside]) } : {}) });
      rebuild();
    },
    setZoomedOut(zoomedOut) {
      if (zoomedOut === get().zoomedOut) return;
      // Zooming out again closes what a click or a search opened: the overview stays a few shapes.
      set({ zoomedOut, ...(zoomedOut ? { opened: new Set<string>() } : {}) });
      rebuild();
    },
    openAggregate(id) {
      set({ opened: new Set([...get().opened, id]) });
      rebuild();
    },
    setDiff(diff) {
      set({ diff });
      rebuild();
    },
    relayout() {
      userPos = {};
      deps.saved.clear();
      restructure(true);
    },
    onNodesChange(changes) {
      let moved = false;
      let pos: Layout['pos'] | null = null;
      const nodes = get().nodes;
      const isChild = (id: string) => !!nodes.find((n) => n.id === id)?.parentId;
      const applied = changes.map((c) => {
        if (c.type !== 'position' || !c.position) return c;
        pos ??= { ...get().layout.pos };
        if (isChild(c.id)) {
          const drag = childDrag(
            { position: c.position, dragging: c.dragging },
            pos[c.id],
            childHome.get(c.id),
          );
          if (drag.home) childHome.set(c.id, drag.home);
          else childHome.delete(c.id);
          pos[c.id] = drag.position;
          return { ...c, position: drag.position };
        }
        pos[c.id] = c.position;
        if (!c.dragging) {
          userPos = { ...userPos, [c.id]: c.position };
          moved = true;
        }
        return c;
      });
      if (pos) set({ layout: { ...get().layout, pos } });
      set({ nodes: applyNodeChanges(applied, get().nodes) });
      if (moved) deps.saved.save(userPos);
    },
    onEdgesChange(changes) {
      // Only selection is the canvas's to change; removals go through the actions API, and
      // pending edges are not in the picture (the canvas adds them).
      const allowed = changes.filter((c): c is EdgeSelectionChange => c.type === 'select');
      if (allowed.length) set({ edges: applyEdgeChanges<FlowEdge>(allowed, get().edges) });
    },
  };
}
