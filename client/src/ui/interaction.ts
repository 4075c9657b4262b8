/**
 * Short-lived canvas interaction state, apart from the live model and the picture: veth requests in flight
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
  /**
   * Re-checks pending edges against the topology now, and again when the next one times out.
   * Every snapshot or delta may bring the awaited edge: the page calls this when the model changes.
   */
  settlePendingVeths(): void;
  /**
   * Runs a veth creation request with its pending edge on the canvas: drawn at once, removed when
   * the request fails (the error is rethrown for the dialog), kept after success until the real
   * edge arrives or the wait times out.
   */
  withPendingVeth<T>(a: VethEnd, b: VethEnd, request: () => Promise<T>): Promise<T>;
}

/** Success and hint lines go away by themselves; errors stay until the next drop or a close. */
const STATUS_MS = 6000;
/** A pending edge is re-checked just after its wait ends, so it is surely over. */
const SETTLE_SLACK_MS = 10;

export const useInteraction = create<InteractionState>()((set, get) => {
  let statusTimer: ReturnType<typeof setTimeout> | undefined;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;

  const update = (f: (l: readonly PendingVeth[]) => readonly PendingVeth[]) =>
    set({ pendingVeths: f(get().pendingVeths) });

  function settle(): void {
    const { pendingVeths } = get();
    const now = Date.now();
    const kept = settlePending(pendingVeths, liveModel.store.getState().live?.topology, now);
    if (kept !== pendingVeths) set({ pendingVeths: kept });
    clearTimeout(settleTimer);
    const due = nextDeadline(kept);
    if (due !== null) settleTimer = setTimeout(settle, Math.max(0, due - now) + SETTLE_SLACK_MS);
  }

  return {
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
    settlePendingVeths() {
      if (get().pendingVeths.length > 0) settle();
    },
    async withPendingVeth(a, b, request) {
      const key = pendingKey(a, b);
      update((l) => startPending(l, a, b));
      try {
        const result = await request();
        update((l) => createdPending(l, key, Date.now()));
        settle();
        return result;
      } catch (e) {
        update((l) => failPending(l, key));
        throw e;
      }
    },
  };
});
