/**
 * Pure client side of the live protocol: what a message does to the local copy, when the client
 * must ask for a fresh snapshot (a gap in seq or a new epoch), and where a reconnect resumes.
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
  | { kind: 'delta'; state: LiveState }
  | { kind: 'resync' }
  | { kind: 'status'; errors: string[] }
  | { kind: 'progress'; done: number; total: number; attempt: number }
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
    case 'progress':
      return { kind: 'progress', done: msg.done, total: msg.total, attempt: msg.attempt };
    case 'delta': {
      if (!state || msg.epoch !== state.epoch || msg.seq !== state.seq + 1) {
        // An old duplicate within the same epoch is harmless; anything else means we missed something.
        if (state && msg.epoch === state.epoch && msg.seq <= state.seq) return { kind: 'ignore' };
        return { kind: 'resync' };
      }
      const topology = applyDelta(state.topology, msg.ops);
      return { kind: 'delta', state: { ...state, seq: msg.seq, topology } };
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

/** Where a reconnect picks the stream up: after the last message applied, in the same epoch. */
export interface ResumePoint {
  epoch: string;
  lastSeq: number;
}

export function resumePoint(state: LiveState | null): ResumePoint | null {
  return state ? { epoch: state.epoch, lastSeq: state.seq } : null;
}

/**
 * The stream's URL, same origin (the auth cookie rides along). With a resume point the server
 * replays only the deltas after it when its ring still holds them, and sends a snapshot only
 * when it cannot (another epoch, or the gap is older than the ring).
 */
export function liveUrl(loc: Pick<Location, 'protocol' | 'host'>, resume: ResumePoint | null = null): string {
  const base = `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/live`;
  if (!resume) return base;
  const q = new URLSearchParams({ epoch: resume.epoch, lastSeq: String(resume.lastSeq) });
  return `${base}?${q.toString()}`;
}

/** The placeholder's line while the server's first read runs (pure). */
export function progressLine(p: { done: number; total: number; attempt: number }): string {
  if (p.total === 0) return 'Finding namespaces…';
  const retry = p.attempt > 1 ? ` (attempt ${p.attempt})` : '';
  return `Reading namespaces ${p.done} of ${p.total}${retry}…`;
}
