/**
 * Pending veth edges: drawn between two namespace boxes from the moment Create is pressed until
 * the request fails, or the real edge has arrived by a delta (or a timeout passed after the
 * server said it made the pair, so a lost delta cannot leave a ghost). Pure state and functions.
 */
import type { Edge } from '@xyflow/react';
import type { Topology } from '../../../common/model.js';
import { vethLinkId } from '../../../common/ids.js';
import type { FlowEdge } from '../graph/types.js';

export interface VethEnd {
  namespace: string;
  name: string;
}

export interface PendingVeth {
  key: string;
  a: VethEnd;
  b: VethEnd;
  /** `requesting` until the server answers 201; `created` while waiting for the delta. */
  phase: 'requesting' | 'created';
  /** When the server answered (ms), for the timeout; null while requesting. */
  createdAt: number | null;
}

export type PendingVethEdge = Edge<{ label: string; phase: PendingVeth['phase'] }, 'pendingVeth'>;
/** What the canvas hands React Flow: the topology's edges and the pending ones. */
export type CanvasEdge = FlowEdge | PendingVethEdge;

/** How long a created pair's edge is awaited before the pending edge is dropped anyway. */
export const PENDING_TIMEOUT_MS = 15_000;

export const PENDING_EDGE_PREFIX = 'pending-veth:';
const PENDING_Z = 1000;

/** Names are unique per namespace and the server refuses taken ones, so they identify the request. */
export function pendingKey(a: VethEnd, b: VethEnd): string {
  return `${a.namespace}/${a.name}:${b.namespace}/${b.name}`;
}

export function startPending(list: readonly PendingVeth[], a: VethEnd, b: VethEnd): PendingVeth[] {
  const key = pendingKey(a, b);
  const entry: PendingVeth = { key, a, b, phase: 'requesting', createdAt: null };
  return [...list.filter((p) => p.key !== key), entry];
}

export function failPending(list: readonly PendingVeth[], key: string): PendingVeth[] {
  return list.filter((p) => p.key !== key);
}

export function createdPending(list: readonly PendingVeth[], key: string, now: number): PendingVeth[] {
  return list.map((p) => (p.key === key ? { ...p, phase: 'created', createdAt: now } : p));
}

/** The id of the real veth link between the two named ends, when the topology has it. */
export function realLinkFor(p: PendingVeth, t: Topology | null | undefined): string | null {
  if (!t) return null;
  const find = (e: VethEnd) => t.interfaces.find((i) => i.namespace === e.namespace && i.name === e.name);
  const ia = find(p.a);
  const ib = find(p.b);
  if (!ia || !ib) return null;
  const id = vethLinkId(ia.id, ib.id);
  return t.links.some((l) => l.id === id) ? id : null;
}

/** Drops created entries whose edge has arrived or whose wait timed out; keeps requesting ones. */
export function settlePending(
  list: readonly PendingVeth[],
  t: Topology | null | undefined,
  now: number,
  timeoutMs = PENDING_TIMEOUT_MS,
): readonly PendingVeth[] {
  const kept = list.filter(
    (p) => p.phase === 'requesting' || (now - (p.createdAt ?? now) < timeoutMs && !realLinkFor(p, t)),
  );
  return kept.length === list.length ? list : kept;
}

/** When the next created entry times out (ms), or null when none waits. */
export function nextDeadline(list: readonly PendingVeth[], timeoutMs = PENDING_TIMEOUT_MS): number | null {
  let next: number | null = null;
  for (const p of list) {
    if (p.createdAt === null) continue;
    const d = p.createdAt + timeoutMs;
    if (next === null || d < next) next = d;
  }
  return next;
}

/**
 * The pending edges to draw: between the two boxes when both are on the canvas, and not once the
 * real edge is there (a delta can beat the HTTP answer).
 */
export function pendingEdges(
  list: readonly PendingVeth[],
  t: Topology | null | undefined,
  hasNode: (id: string) => boolean,
): PendingVethEdge[] {
  const out: PendingVethEdge[] = [];
  for (const p of list) {
    if (!hasNode(p.a.namespace) || !hasNode(p.b.namespace) || realLinkFor(p, t)) continue;
    out.push({
      id: `${PENDING_EDGE_PREFIX}${p.key}`,
      type: 'pendingVeth',
      source: p.a.namespace,
      target: p.b.namespace,
      sourceHandle: 'new-veth',
      targetHandle: 'new-veth',
      className: 'pending-veth',
      selectable: false,
      focusable: false,
      // Above the boxes, so the label stays readable when the boxes are close together.
      zIndex: PENDING_Z,
      data: { label: `${p.a.name} ↔ ${p.b.name}`, phase: p.phase },
    });
  }
  return out;
}
