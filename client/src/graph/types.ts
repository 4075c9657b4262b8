/** Typed React Flow nodes and edges for the topology picture (ids are the model's ids). */
import type { Edge, Node } from '@xyflow/react';
import type { CrossLink } from '../../../common/cluster.js';
import type { Interface, Namespace, NamespaceKind } from '../../../common/model.js';

export interface NamespaceData extends Record<string, unknown> {
  ns: Namespace;
  /** Interfaces in the namespace, including hidden loopback (for the header summary). */
  ifaceCount: number;
}
export interface IfaceData extends Record<string, unknown> {
  iface: Interface;
  /** Name of the bridge this interface is a port of, when known. */
  bridgeName: string | null;
}

/** A big segment drawn closed (aggregate.ts): its title, hub and member counts. */
export interface AggregateData extends Record<string, unknown> {
  title: string;
  hub: string;
  summary: { members: number; up: number; down: number };
}

export type NamespaceNode = Node<NamespaceData, 'namespace'>;
export type IfaceNode = Node<IfaceData, 'iface' | 'bridge'>;
export type AggregateNode = Node<AggregateData, 'aggregate'>;
export type FlowNode = NamespaceNode | IfaceNode | AggregateNode;

export type VethEdge = Edge<Record<string, never>, 'veth'>;
export type PortEdge = Edge<Record<string, never>, 'port'>;
/** A folded veth pair (fold.ts): member interface -> bridge, labelled with the hub-side name. */
export type FoldEdge = Edge<{ label: string }, 'fold'>;
/** A closed aggregate's one edge to its bridge (aggregate.ts). */
export type AggregateEdge = Edge<{ members: number }, 'aggregate'>;
export type FlowEdge = VethEdge | PortEdge | FoldEdge | AggregateEdge;

export function isNamespaceNode(n: FlowNode): n is NamespaceNode {
  return n.type === 'namespace';
}

export interface XY {
  x: number;
  y: number;
}
export interface Size {
  w: number;
  h: number;
}

/** Where things are: namespace positions are absolute, interface positions relative to their box. */
export interface Layout {
  pos: Record<string, XY>;
  size: Record<string, Size>;
}

export interface ViewOptions {
  showLoopback: boolean;
  hiddenKinds: ReadonlySet<NamespaceKind>;
  /** Hub mode: nodes (host names) whose namespaces are hidden by the node filter. */
  hiddenNodes?: ReadonlySet<string>;
  /** Hub mode: edges between nodes (VXLAN pairs, node routes), drawn like veth edges. */
  crossLinks?: readonly CrossLink[];
}

/** Ids that get a CSS class for a moment (recent change) or until the next search (hit). */
export interface Marks {
  changed: ReadonlySet<string>;
  hit: string | null;
  /** Difference marks (added, removed, changed) while history compares two moments. */
  diff?: ReadonlyMap<string, string> | null | undefined;
}
