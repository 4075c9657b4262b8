/**
 * The one <ReactFlow>: controlled by the picture controller, memoised types, drag-to-create-veth
 * (with pending edges while the request runs), drag-an-interface-onto-a-bridge.
 */
import { useHistory } from '../history/historyStore.js';
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
import { LARGE_GRAPH } from '../graph/elkGraph.js';
import type { FlowNode } from '../graph/types.js';
import { markDrawn } from '../perf/hook.js';
import { absoluteCenter, namespaceAt } from '../picture/center.js';
import { picture, usePicture } from '../picture/picture.js';
import { useLive } from '../sync/live.js';
import { useInteraction } from '../ui/interaction.js';
import { pendingEdges } from '../ui/pendingVeth.js';
import type { CanvasEdge } from '../ui/pendingVeth.js';
import { useUi } from '../ui/uiStore.js';
import { boxesBounds } from './geometry.js';
import { BridgeNodeView, IfaceNodeView } from './IfaceNodeView.js';
import { NamespaceNodeView } from './NamespaceNodeView.js';
import { PendingVethEdgeView, PortEdgeView, VethEdgeView } from './FloatingEdges.js';
import { FoldEdgeView } from './FoldEdge.js';
import { AggregateEdgeView, AggregateNodeView, useAggregateZoom } from './AggregateViews.js';
import { useTextTierClass } from './textLod.js';
import { DropStatus } from './DropStatus.js';
import { useIfaceDrop } from './useIfaceDrop.js';
import { GroupFrames } from '../groups/GroupFrames.js';
import { NodeFrames } from '../cluster/NodeFrames.js';
import './interaction.css';

// Module level so React Flow never sees new type maps (xyflow error002).
const nodeTypes = {
  namespace: NamespaceNodeView,
  iface: IfaceNodeView,
  bridge: BridgeNodeView,
  aggregate: AggregateNodeView,
} satisfies NodeTypes;
const edgeTypes = {
  veth: VethEdgeView,
  port: PortEdgeView,
  fold: FoldEdgeView,
  aggregate: AggregateEdgeView,
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

const minimapColor = (n: FlowNode): string =>
  n.type === 'namespace' ? (n.data.ns.kind === 'host' ? '#2563eb' : '#94a3b8') : '#cbd5e1';

export function Canvas() {
  const nodes = usePicture((s) => s.nodes);
  const edges = usePicture((s) => s.edges);
  const layoutRuns = usePicture((s) => s.layoutRuns);
  // A moment from history is never changed from the page.
  const showsPast = useHistory((s) => s.past !== null);
  const readOnly = useLive((s) => s.live?.readOnly ?? true) || showsPast;
  const focus = useUi((s) => s.focus);
  const pending = useInteraction((s) => s.pendingVeths);
  const topology = useLive((s) => (pending.length > 0 ? s.live?.topology : undefined));
  const rf = useReactFlow<FlowNode, CanvasEdge>();
  const flowApi = useStoreApi<FlowNode, CanvasEdge>();
  const drop = useIfaceDrop(rf);
  const fitted = useRef(false);
  const textTier = useTextTierClass();

  const focused = useRef(0);

  // The first picture is fitted before its nodes are handed to React Flow, so hundreds of boxes
  // render once, already in place (fitting afterwards would render them twice).
  const [ready, setReady] = useState(false);
  useLayoutEffect(() => {
    if (layoutRuns === 0 || fitted.current) return;
    fitted.current = true;
    const wanted = useUi.getState().focus;
    const { structure, nodes: all } = picture.store.getState();
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
  useAggregateZoom(ready);

  // Centre on a requested node; if it is not placed yet, try again when the nodes change.
  useEffect(() => {
    if (!focus || focus.nonce === focused.current) return;
    const c = absoluteCenter(nodes, focus.id);
    if (!c) return;
    focused.current = focus.nonce;
    void rf.setCenter(c.x, c.y, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
  }, [focus, nodes, rf]);

  const onNodeClick: NodeMouseHandler<FlowNode> = useCallback((_e, node) => {
    if (node.type === 'aggregate') return picture.openAggregate(node.id);
    useUi.getState().select({ kind: node.type === 'namespace' ? 'namespace' : 'interface', id: node.id });
  }, []);
  const onEdgeClick = useCallback((_e: React.MouseEvent, edge: CanvasEdge) => {
    if (edge.type === 'veth' || edge.type === 'fold')
      useUi.getState().select({ kind: 'interface', id: edge.source });
  }, []);
  const onPaneClick = useCallback(() => useUi.getState().select(null), []);

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
        (point
          ? namespaceAt(
              picture.store.getState().nodes,
              rf.screenToFlowPosition({ x: point.clientX, y: point.clientY }),
            )
          : null);
      if (a && b) useUi.getState().openVeth(a, b);
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
      onNodesChange={picture.onNodesChange}
      onEdgesChange={picture.onEdgesChange}
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
      className={textTier}
    >
      <Background gap={24} size={1} color="#e2e8f0" />
      <GroupFrames />
      <NodeFrames />
      <MiniMap<FlowNode> pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={0} />
      <Controls showInteractive={false} />
      <DropStatus />
    </ReactFlow>
  );
}
