/** The picture controller's state and API (controller.ts). */
import type { EdgeChange, NodeChange } from '@xyflow/react';
import type { StoreApi } from 'zustand/vanilla';
import type { CrossLink } from '../../../common/cluster.js';
import type { NamespaceKind, Topology } from '../../../common/model.js';
import type { Aggregate } from '../graph/aggregate.js';
import type { LayoutEngine } from '../graph/elkGraph.js';
import type { Structure } from '../graph/structure.js';
import type { FlowEdge, FlowNode, Layout, ViewOptions } from '../graph/types.js';
import type { SavedPositions } from './positions.js';

export interface PictureState {
  view: ViewOptions;
  structure: Structure;
  layout: Layout;
  /** Layouts adopted so far (the first picture, then every Re-layout). */
  layoutRuns: number;
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Ids drawn highlighted for a moment after a delta changed them. */
  changed: ReadonlySet<string>;
  /** The search hit, drawn highlighted until the next search. */
  hit: string | null;
  /** Layout failures (ELK threw), shown with the server's errors. */
  errors: string[];
  /** Difference marks while history compares two moments (issue 16), else null. */
  diff: ReadonlyMap<string, string> | null;
  /** Bridges with many ports drawn folded (fold.ts): one edge per member, no port boxes. */
  foldPorts: boolean;
  /** Big segments of a large picture (graph/aggregate.ts), drawn closed while zoomed out. */
  aggregates: Aggregate[];
  zoomedOut: boolean;
  /** Aggregates the user opened (a click, a search hit inside): drawn open at any zoom. */
  opened: ReadonlySet<string>;
  /** Boxes drawn inside a closed aggregate now -> that aggregate's id. */
  folded: ReadonlyMap<string, string>;
}

export interface PictureDeps {
  engine: LayoutEngine;
  saved: SavedPositions;
  /** setTimeout, or a fake in tests. */
  later?: (fn: () => void, ms: number) => void;
}

export interface Picture {
  store: StoreApi<PictureState>;
  /** A new copy of the live topology; `changed` are the drawn ids a delta touched. */
  showTopology(t: Topology, changed?: readonly string[]): void;
  setShowLoopback(show: boolean): void;
  toggleKind(kind: NamespaceKind): void;
  /** Hub mode: the node filter and the edges between nodes (client/src/cluster/). */
  setCluster(hiddenNodes: ReadonlySet<string>, crossLinks: readonly CrossLink[]): void;
  setFoldPorts(fold: boolean): void;
  /** The search hit; a hit inside a closed aggregate opens it. */
  setHit(id: string | null): void;
  /** The canvas's zoom crossed OPEN_ZOOM (graph/aggregate.ts). */
  setZoomedOut(zoomedOut: boolean): void;
  openAggregate(id: string): void;
  /** Forgets dragged places (also the saved ones) and lays everything out again (ELK, or the
   * segment layout for a large picture). */
  relayout(): void;
  /** Draws difference marks (added, removed, changed) by id; null clears them. */
  setDiff(marks: ReadonlyMap<string, string> | null): void;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange[]): void;
}
