/**
 * Host changes waiting for the user's "keep" (the server rolls them back otherwise; see
 * server/actions/checkpoint.ts). The live socket tells us its connection id; every action call
 * names it, so the change is bound to this page and undone if the page loses its connection.
 */
import { useSyncExternalStore } from 'react';

export interface PendingCheckpoint {
  id: string;
  /** Epoch ms at which the server rolls the change back. */
  deadline: number;
  what: string;
}

let connection: string | null = null;
let pending: PendingCheckpoint[] = [];
const listeners = new Set<() => void>();
const changed = () => listeners.forEach((l) => l());

export function setLiveConnection(id: string | null): void {
  connection = id;
}

/** Header binding an action to this page's live connection (none while disconnected). */
export function liveConnectionHeaders(): Record<string, string> {
  return connection ? { 'X-Live-Connection': connection } : {};
}

/** `{type: 'connection', id}`, the live socket's message naming its connection. */
export function connectionIdOf(msg: unknown): string | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as { type?: unknown; id?: unknown };
  return m.type === 'connection' && typeof m.id === 'string' ? m.id : null;
}

/** Records the checkpoint an action answer carries, if any. */
export function noteCheckpoint(answer: unknown, what: string): void {
  const cp = (answer as { checkpoint?: { id?: unknown; expiresAt?: unknown; windowMs?: unknown } } | null)
    ?.checkpoint;
  if (!cp || typeof cp.id !== 'string' || typeof cp.windowMs !== 'number') return;
  // The server's clock may differ from ours: count the window from now.
  pending = [...pending, { id: cp.id, deadline: Date.now() + cp.windowMs, what }];
  changed();
}

export function dropCheckpoint(id: string): void {
  pending = pending.filter((p) => p.id !== id);
  changed();
}

export function usePendingCheckpoints(): PendingCheckpoint[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => pending,
  );
}
