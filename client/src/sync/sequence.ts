/**
 * Pure client side of the live protocol: what a message does to the local copy, and when the
 * client must ask for a fresh snapshot (a gap in seq or a new epoch).
 */
import { applyDelta } from '../../../common/delta.js';
import type { Topology } from '../../../common/model.js';
import type { ServerMessage } from '../../../common/protocol.js';

export interface LiveState {
  epoch: string;
  seq: number;
  topology: Topology;
  readOnly: boolean;
}

export type Step =
  | { kind: 'snapshot'; state: LiveState }
  | { kind: 'delta'; state: LiveState; changedIds: string[] }
  | { kind: 'resync' }
  | { kind: 'status'; errors: string[] }
  | { kind: 'ignore' };

export function step(state: LiveState | null, msg: ServerMessage): Step {
  switch (msg.type) {
    case 'snapshot':
      return {
        kind: 'snapshot',
        state: { epoch: msg.epoch, seq: msg.seq, topology: msg.topology, readOnly: msg.readOnly },
      };
    case 'status':
      return { kind: 'status', errors: msg.errors };
    case 'delta': {
      if (!state || msg.epoch !== state.epoch || msg.seq !== state.seq + 1) {
        // An old duplicate within the same epoch is harmless; anything else means we missed something.
        if (state && msg.epoch === state.epoch && msg.seq <= state.seq) return { kind: 'ignore' };
        return { kind: 'resync' };
      }
      const topology = applyDelta(state.topology, msg.ops);
      const changedIds = msg.ops.map((o) => (o.op === 'put' ? o.value.id : o.id));
      return { kind: 'delta', state: { ...state, seq: msg.seq, topology }, changedIds };
    }
    default:
      return { kind: 'ignore' };
  }
}

/** Jittered exponential backoff: about 1 s, 2 s, 4 s ... capped at 30 s; never below half. */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base / 2 + (base / 2) * random);
}
