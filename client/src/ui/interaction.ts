/**
 * Short-lived canvas interaction state, apart from the topology store: veth requests in flight
 * (drawn as pending edges) and the interface being dropped onto a bridge (highlight and outcome).
 * The pure rules live in pendingVeth.ts and ifaceDrop.ts; this is the thin shell with timers.
 */
import { create } from 'zustand';
import { liveModel } from '../sync/live.js';
import {
  createdPending,
  failPending,
  nextDeadline,
  pendingKey,
  settlePending,
  startPending,
} from './pendingVeth.js';
import type { PendingVeth, VethEnd } from './pendingVeth.js';

export interface DropOver {
  id: string;
  /** True when dropping here attaches; false when it is refused (shown in red). */
  ok: boolean;
}
export interface DropStatus {
  kind: 'pending' | 'done' | 'error' | 'hint';
  text: string;
}

export interface InteractionState {
  pendingVeths: readonly PendingVeth[];
  dropOver: DropOver | null;
  dropStatus: DropStatus | null;
  setDropOver(over: DropOver | null): void;
  setDropStatus(status: DropStatus | null): void;
}

/** Success and hint lines go away by themselves; errors stay until the next drop or a close. */
const STATUS_MS = 6000;
let statusTimer: ReturnType<typeof setTimeout> | undefined;
let settleTimer: ReturnType<typeof setTimeout> | undefined;

export const useInteraction = create<InteractionState>()((set, get) => ({
  pendingVeths: [],
  dropOver: null,
  dropStatus: null,
  setDropOver(dropOver) {
    const cur = get().dropOver;
    if (cur?.id === dropOver?.id && cur?.ok === dropOver?.ok) return;
    set({ dropOver });
  },
  setDropStatus(dropStatus) {
    clearTimeout(statusTimer);
    set({ dropStatus });
    if (dropStatus && (dropStatus.kind === 'done' || dropStatus.kind === 'hint')) {
      statusTimer = setTimeout(() => {
        if (get().dropStatus === dropStatus) set({ dropStatus: null });
      }, STATUS_MS);
    }
  },
}));

/**
 * Re-checks pending edges against the topology now, and again when the next one times out.
 * Every snapshot or delta may bring the awaited edge: the page calls this when the model changes.
 */
export function settlePendingVeths(): void {
  if (useInteraction.getState().pendingVeths.length > 0) settle();
}

function settle(): void {
  const { pendingVeths } = useInteraction.getState();
  const now = Date.now();
  const kept = settlePending(pendingVeths, liveModel.store.getState().live?.topology, now);
  if (kept !== pendingVeths) useInteraction.setState({ pendingVeths: kept });
  clearTimeout(settleTimer);
  const due = nextDeadline(kept);
  if (due !== null) settleTimer = setTimeout(settle, Math.max(0, due - now) + 10);
}

/**
 * Runs a veth creation request with its pending edge on the canvas: drawn at once, removed when
 * the request fails (the error is rethrown for the dialog), kept after success until the real
 * edge arrives or the wait times out.
 */
export async function withPendingVeth<T>(a: VethEnd, b: VethEnd, request: () => Promise<T>): Promise<T> {
  const key = pendingKey(a, b);
  const update = (f: (l: readonly PendingVeth[]) => readonly PendingVeth[]) =>
    useInteraction.setState({ pendingVeths: f(useInteraction.getState().pendingVeths) });
  update((l) => startPending(l, a, b));
  let result: T;
  try {
    result = await request();
  } catch (e) {
    update((l) => failPending(l, key));
    throw e;
  }
  update((l) => createdPending(l, key, Date.now()));
  settle();
  return result;
}
