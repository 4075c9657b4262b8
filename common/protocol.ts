/**
 * The live wire protocol over WebSocket `/api/live`.
 *
 * The server sends one `snapshot` first, then `delta` messages whose `seq` grows by exactly 1.
 * A client that sees a gap in `seq` or a new `epoch` sends `resync` and gets a fresh snapshot.
 * The epoch changes whenever the server cannot vouch for continuity (restart, lost kernel events).
 */
import { z } from 'zod';
import type { Interface, Link, Namespace, Route, Topology } from './model.js';

export const PROTOCOL_VERSION = 1;

/** One keyed change: put (add or replace) an entity, or remove it by id. */
export type DeltaOp =
  | { op: 'put'; entity: 'namespace'; value: Namespace }
  | { op: 'put'; entity: 'interface'; value: Interface }
  | { op: 'put'; entity: 'route'; value: Route }
  | { op: 'put'; entity: 'link'; value: Link }
  | { op: 'remove'; entity: EntityKind; id: string };

export type EntityKind = 'namespace' | 'interface' | 'route' | 'link';

export interface SnapshotMessage {
  type: 'snapshot';
  protocol: typeof PROTOCOL_VERSION;
  epoch: string;
  seq: number;
  topology: Topology;
  /** Whether the server accepts changes (false with --read-only or without root). */
  readOnly: boolean;
}

export interface DeltaMessage {
  type: 'delta';
  epoch: string;
  seq: number;
  ops: DeltaOp[];
}

/** Health of discovery as the server sees it; not part of the topology. */
export interface StatusMessage {
  type: 'status';
  errors: string[];
}

/**
 * Sent while the first full read runs (the server listens before it has a model): how far it
 * is, until the first snapshot replaces it. `attempt` > 1: an earlier read failed and was retried.
 */
export interface ProgressMessage {
  type: 'progress';
  done: number;
  total: number;
  attempt: number;
}

export type ServerMessage = SnapshotMessage | DeltaMessage | StatusMessage | ProgressMessage;

/** What a client may send; anything else closes its connection (1008), never the server. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('resync') }),
  z.strictObject({
    type: z.literal('hello'),
    epoch: z.string().max(64),
    lastSeq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
