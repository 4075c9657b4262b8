/**
 * The one client store (zustand): the live topology, the derived React Flow nodes/edges, layout,
 * view options and selection. Components select narrow slices; handlers use getState().
 */
import { create } from 'zustand';
import { applyNodeChanges, applyEdgeChanges } from '@xyflow/react';
import type { EdgeChange, EdgeSelectionChange, NodeChange } from '@xyflow/react';
import type { NamespaceKind } from '../../../common/model.js';
import type { ServerMessage } from '../../../common/protocol.js';
import { buildStructure } from '../graph/structure.js';
import type { Structure } from '../graph/structure.js';
import { elkEngine } from '../graph/elkEngine.js';
import { EMPTY_LAYOUT, LARGE_GRAPH, elkLayout, placeStable } from '../graph/layout.js';
import { gridLayout } from '../graph/grid.js';
import { toFlow } from '../graph/toFlow.js';
import { mergeEdges, mergeNodes } from '../graph/merge.js';
import type { FlowEdge, FlowNode, Layout, ViewOptions, XY } from '../graph/types.js';
import { step } from '../sync/sequence.js';
import type { LiveState } from '../sync/sequence.js';
import { changedDrawIds } from './changes.js';
import { childDrag } from './childDrag.js';
import type { CanvasEdge } from './pendingVeth.js';
import { clearPositions, loadPositions, savePositions } from './positions.js';

export type ConnState = 'connecting' | 'live' | 'reconnecting' | 'stale';
export type Selection = { kind: 'namespace' | 'interface'; id: string } | null;

export interface StoreState {
  live: LiveState | null;
  conn: ConnState;
  errors: string[];
  view: ViewOptions;
  structure: Structure;
  layout: Layout;
  layoutRuns: number;
  nodes: FlowNode[];
  edges: FlowEdge[];
  selection: Selection;
  changed: ReadonlySet<string>;
  hit: string | null;
  /** A request to centre the canvas on an id; the nonce makes repeated requests distinct. */
  focus: { id: string; nonce: number } | null;
  veth: { a: string; b: string } | null;
  /** Applies a server message; returns true when the client must send `resync`. */
  receive(msg: ServerMessage): boolean;
  setConn(c: ConnState): void;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<CanvasEdge>[]): void;
  select(sel: Selection, focus?: boolean): void;
  setHit(id: string | null): void;
  setShowLoopback(show: boolean): void;
  toggleKind(kind: NamespaceKind): void;
  openVeth(a: string, b: string): void;
  closeVeth(): void;
  relayout(): void;
}

const FLASH_MS = 2000;
const EMPTY_VIEW: ViewOptions = { showLoopback: false, hiddenKinds: new Set() };
let userPos: Record<string, XY> = loadPositions();
let layoutCounter = 0;
let elkRunning = false;
let focusNonce = 0;
/** Where dragged interfaces came from: they snap back there at the end (see childDrag). */
const childHome = new Map<string, XY>();

export const useStore = create<StoreState>()((set, get) => {
  /** Re-derives nodes and edges, keeping unchanged objects (structural sharing). */
  function rebuild(): void {
    const s = get();
    if (!s.live) return;
    const marks = { changed: s.changed, hit: s.hit };
    const flow = toFlow(s.live.topology, s.structure, s.layout, marks);
    set({ nodes: mergeNodes(s.nodes, flow.nodes), edges: mergeEdges(s.edges, flow.edges) });
  }

  /**
   * On a structural change: places new things at once next to what is on screen (pure, no
   * jumps), and runs ELK only for the first picture or a requested re-layout. One ELK run at a
   * time; its result is merged into whatever the structure is when it lands, so a busy machine
   * whose namespaces churn every second cannot starve the first layout.
   */
  function restructure(force = false): void {
    const s = get();
    if (!s.live) return;
    const structure = buildStructure(s.live.topology, s.view);
    const same = structure.key === s.structure.key;
    const placedAny = structure.namespaces.some((n) => s.layout.pos[n.id]);
    if (!force && !placedAny && !elkRunning && structure.namespaces.length > LARGE_GRAPH) {
      // ELK needs seconds for hundreds of boxes: draw an instant grid instead (Re-layout runs ELK).
      set({ structure });
      adopt(gridLayout(structure), false);
      return;
    }
    if (force || (!placedAny && !elkRunning)) {
      set({ structure });
      rebuild();
      runElk(force);
      return;
    }
    if (same || elkRunning) set({ structure });
    else set({ structure, layout: placeStable(s.layout, EMPTY_LAYOUT, structure) });
    rebuild();
  }

  function runElk(force: boolean): void {
    const ticket = ++layoutCounter;
    elkRunning = true;
    void elkLayout(get().structure, elkEngine)
      .then(
        (fresh) => {
          if (ticket === layoutCounter) adopt(fresh, force);
        },
        (err: unknown) => {
          if (ticket === layoutCounter) set({ errors: [...get().errors, `layout failed: ${String(err)}`] });
        },
      )
      .finally(() => {
        if (ticket === layoutCounter) elkRunning = false;
      });
  }

  /** Merges a fresh layout into what is on screen; user-dragged places win. */
  function adopt(fresh: Layout, force: boolean): void {
    const cur = get();
    const merged = placeStable(force ? EMPTY_LAYOUT : cur.layout, fresh, cur.structure);
    const boxes = new Set(cur.structure.namespaces.map((n) => n.id));
    // Only boxes keep a user's place (older versions also stored interface places).
    for (const [id, p] of Object.entries(userPos)) if (boxes.has(id) && merged.pos[id]) merged.pos[id] = p;
    set({ layout: merged, layoutRuns: cur.layoutRuns + 1 });
    rebuild();
  }

  function flash(ids: string[]): void {
    if (ids.length === 0) return;
    set({ changed: new Set([...get().changed, ...ids]) });
    setTimeout(() => {
      const left = new Set(get().changed);
      for (const id of ids) left.delete(id);
      set({ changed: left });
      rebuild();
    }, FLASH_MS);
  }

  return {
    live: null,
    conn: 'connecting',
    errors: [],
    view: EMPTY_VIEW,
    structure: { namespaces: [], edges: [], key: '' },
    layout: { pos: {}, size: {} },
    layoutRuns: 0,
    nodes: [],
    edges: [],
    selection: null,
    changed: new Set(),
    hit: null,
    focus: null,
    veth: null,

    receive(msg) {
      const r = step(get().live, msg);
      switch (r.kind) {
        case 'resync':
          return true;
        case 'status':
          set({ errors: r.errors });
          return false;
        case 'snapshot':
          set({ live: r.state, conn: 'live' });
          restructure();
          return false;
        case 'delta':
          set({ live: r.state });
          if (msg.type === 'delta') flash(changedDrawIds(msg.ops));
          restructure();
          return false;
        default:
          return false;
      }
    },
    setConn(conn) {
      set({ conn });
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
          const change = { position: c.position, dragging: c.dragging };
          const step = childDrag(change, pos[c.id], childHome.get(c.id));
          if (step.home) childHome.set(c.id, step.home);
          else childHome.delete(c.id);
          pos[c.id] = step.position;
          return { ...c, position: step.position };
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
      if (moved) savePositions(userPos);
    },
    onEdgesChange(changes) {
      // Only selection is ours to change; removals go through the actions engineer's commands,
      // and pending edges are not in the store (the canvas adds them).
      const allowed = changes.filter((c): c is EdgeSelectionChange => c.type === 'select');
      if (allowed.length) set({ edges: applyEdgeChanges<FlowEdge>(allowed, get().edges) });
    },
    select(selection, focus = false) {
      set({ selection, ...(focus && selection ? { focus: { id: selection.id, nonce: ++focusNonce } } : {}) });
      if (focus && selection) get().setHit(selection.id);
    },
    setHit(hit) {
      set({ hit, ...(hit ? { focus: { id: hit, nonce: ++focusNonce } } : {}) });
      rebuild();
    },
    setShowLoopback(showLoopback) {
      set({ view: { ...get().view, showLoopback } });
      restructure();
    },
    toggleKind(kind) {
      const hiddenKinds = new Set(get().view.hiddenKinds);
      if (hiddenKinds.has(kind)) hiddenKinds.delete(kind);
      else hiddenKinds.add(kind);
      set({ view: { ...get().view, hiddenKinds } });
      restructure();
    },
    openVeth(a, b) {
      set({ veth: { a, b } });
    },
    closeVeth() {
      set({ veth: null });
    },
    relayout() {
      userPos = {};
      clearPositions();
      restructure(true);
    },
  };
});

/** Centre of a node in flow coordinates (interfaces are relative to their box). */
export function absoluteCenter(id: string): XY | null {
  const { nodes } = useStore.getState();
  const n = nodes.find((x) => x.id === id);
  if (!n) return null;
  const parent = n.parentId ? nodes.find((x) => x.id === n.parentId) : undefined;
  const w = n.measured?.width ?? n.width ?? 0;
  const h = n.measured?.height ?? n.height ?? 0;
  return {
    x: (parent?.position.x ?? 0) + n.position.x + w / 2,
    y: (parent?.position.y ?? 0) + n.position.y + h / 2,
  };
}
