/**
 * The one <ReactFlow>: controlled by the store, memoised types, drag-to-create-veth (with pending
 * edges while the request runs), drag-an-interface-onto-a-bridge.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  getViewportForBounds,
  useReactFlow,
  useStoreApi,
} from '@xyflow/react';
import type {
  EdgeTypes,
  FinalConnectionState,
  IsValidConnection,
  NodeMouseHandler,
  NodeTypes,
} from '@xyflow/react';
import type { FlowNode } from '../graph/types.js';
import { LARGE_GRAPH } from '../graph/layout.js';
import { markDrawn } from '../perf/hook.js';
import { boxesBounds } from './geometry.js';
import { absoluteCenter, useStore } from '../store/store.js';
import { useInteraction } from '../store/interaction.js';
import { pendingEdges } from '../store/pendingVeth.js';
import type { CanvasEdge } from '../store/pendingVeth.js';
import { BridgeNodeView, IfaceNodeView } from './IfaceNodeView.js';
import { NamespaceNodeView } from './NamespaceNodeView.js';
import { PendingVethEdgeView, PortEdgeView, VethEdgeView } from './FloatingEdges.js';
import { DropStatus } from './DropStatus.js';
import { useIfaceDrop } from './useIfaceDrop.js';
import './interaction.css';

// Module level so React Flow never sees new type maps (xyflow error002).
const nodeTypes = {
  namespace: NamespaceNodeView,
  iface: IfaceNodeView,
  bridge: BridgeNodeView,
} satisfies NodeTypes;
const edgeTypes = {
  veth: VethEdgeView,
  port: PortEdgeView,
  pendingVeth: PendingVethEdgeView,
} satisfies EdgeTypes;

const MIN_ZOOM = 0.02;
const MAX_ZOOM = 2.5;
const NONE: FlowNode[] = [];
const NO_EDGES: CanvasEdge[] = [];

/** Rendering only what is on screen pays off once the picture is big. */
const VISIBLE_ONLY_ABOVE = 300;

const isValidConnection: IsValidConnection<CanvasEdge> = (c) =>
  c.sourceHandle === 'new-veth' && c.targetHandle === 'new-veth';

function nsOf(node: FlowNode | null | undefined): string | null {
  if (!node) return null;
  return node.type === 'namespace' ? node.id : (node.parentId ?? null);
}

/** The namespace box under a point in flow coordinates (boxes are top-level nodes). */
function namespaceAt(p: { x: number; y: number }): string | null {
  for (const n of useStore.getState().nodes) {
    if (n.type !== 'namespace') continue;
    const w = n.measured?.width ?? n.width ?? 0;
    const h = n.measured?.height ?? n.height ?? 0;
    if (p.x >= n.position.x && p.x <= n.position.x + w && p.y >= n.position.y && p.y <= n.position.y + h)
      return n.id;
  }
  return null;
}

const minimapColor = (n: FlowNode): string =>
  n.type === 'namespace' ? (n.data.ns.kind === 'host' ? '#2563eb' : '#94a3b8') : '#cbd5e1';

export function Canvas() {
  const nodes = useStore((s) => s.nodes);
  const edges = useStore((s) => s.edges);
  const readOnly = useStore((s) => s.live?.readOnly ?? true);
  const layoutRuns = useStore((s) => s.layoutRuns);
  const focus = useStore((s) => s.focus);
  const onNodesChange = useStore((s) => s.onNodesChange);
  const onEdgesChange = useStore((s) => s.onEdgesChange);
  const pending = useInteraction((s) => s.pendingVeths);
  const topology = useStore((s) => (pending.length > 0 ? s.live?.topology : undefined));
  const rf = useReactFlow<FlowNode, CanvasEdge>();
  const flowApi = useStoreApi<FlowNode, CanvasEdge>();
  const drop = useIfaceDrop(rf);
  const fitted = useRef(false);

  const focused = useRef(0);

  // The first picture is fitted before its nodes are handed to React Flow, so hundreds of boxes
  // render once, already in place (fitting afterwards would render them twice).
  const [ready, setReady] = useState(false);
  useLayoutEffect(() => {
    if (layoutRuns === 0 || fitted.current) return;
    fitted.current = true;
    const { focus: wanted, structure, nodes: all } = useStore.getState();
    const { width, height } = flowApi.getState();
    const large = structure.namespaces.length > LARGE_GRAPH;
    // A search made before the first layout wins over fitting everything.
    if (wanted) {
      // Nothing to fit.
    } else if (large && width > 0 && height > 0) {
      // A large picture is shown whole (an overview), so every box is drawn at once.
      const b = boxesBounds(all);
      if (b) {
        const rect = { x: b.x, y: b.y, width: b.w, height: b.h };
        void rf.setViewport(getViewportForBounds(rect, width, height, MIN_ZOOM, MAX_ZOOM, 0.05));
      }
    } else {
      // A small one is fitted readable, once its nodes are measured (a frame later).
      requestAnimationFrame(() => void rf.fitView({ padding: 0.1, minZoom: 0.35 }));
    }
    setReady(true);
  }, [layoutRuns, rf, flowApi]);
  useEffect(() => {
    if (ready) requestAnimationFrame(() => requestAnimationFrame(markDrawn));
  }, [ready]);

  // Centre on a requested node; if it is not placed yet, try again when the nodes change.
  useEffect(() => {
    if (!focus || focus.nonce === focused.current) return;
    const c = absoluteCenter(focus.id);
    if (!c) return;
    focused.current = focus.nonce;
    void rf.setCenter(c.x, c.y, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
  }, [focus, nodes, rf]);

  const onNodeClick: NodeMouseHandler<FlowNode> = useCallback((_e, node) => {
    useStore.getState().select({ kind: node.type === 'namespace' ? 'namespace' : 'interface', id: node.id });
  }, []);
  const onEdgeClick = useCallback((_e: React.MouseEvent, edge: CanvasEdge) => {
    if (edge.type === 'veth') useStore.getState().select({ kind: 'interface', id: edge.source });
  }, []);
  const onPaneClick = useCallback(() => useStore.getState().select(null), []);

  // Dropping anywhere on a box (or on the same box) asks for a veth between the two namespaces;
  // nothing is added to the graph here: the edge appears when the kernel has it. React Flow names
  // `toNode` only near a handle, so the drop point is hit-tested against the boxes as well.
  const onConnectEnd = useCallback(
    (e: MouseEvent | TouchEvent, cs: FinalConnectionState) => {
      if (cs.fromHandle?.id !== 'new-veth') return;
      const a = nsOf(cs.fromNode as FlowNode | null);
      const point = 'changedTouches' in e ? e.changedTouches[0] : e;
      const b =
        nsOf(cs.toNode as FlowNode | null) ??
        (point ? namespaceAt(rf.screenToFlowPosition({ x: point.clientX, y: point.clientY })) : null);
      if (a && b) useStore.getState().openVeth(a, b);
    },
    [rf],
  );

  // Pending veth edges ride on top of the topology's edges (same array when there are none).
  const shownEdges = useMemo((): CanvasEdge[] => {
    if (pending.length === 0) return edges;
    const boxes = new Set(nodes.filter((n) => n.type === 'namespace').map((n) => n.id));
    const extra = pendingEdges(pending, topology, (id) => boxes.has(id));
    return extra.length ? [...edges, ...extra] : edges;
  }, [edges, nodes, pending, topology]);

  return (
    <ReactFlow<FlowNode, CanvasEdge>
      nodes={ready ? nodes : NONE}
      edges={ready ? shownEdges : NO_EDGES}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onNodeClick={onNodeClick}
      onEdgeClick={onEdgeClick}
      onPaneClick={onPaneClick}
      onConnectEnd={onConnectEnd}
      onNodeDragStart={drop.onNodeDragStart}
      onNodeDrag={drop.onNodeDrag}
      onNodeDragStop={drop.onNodeDragStop}
      isValidConnection={isValidConnection}
      connectionMode={ConnectionMode.Loose}
      nodesConnectable={!readOnly}
      deleteKeyCode={null}
      onlyRenderVisibleElements={nodes.length > VISIBLE_ONLY_ABOVE}
      minZoom={MIN_ZOOM}
      maxZoom={MAX_ZOOM}
      proOptions={{ hideAttribution: true }}
    >
      <Background gap={24} size={1} color="#e2e8f0" />
      <MiniMap<FlowNode> pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={0} />
      <Controls showInteractive={false} />
      <DropStatus />
    </ReactFlow>
  );
}
