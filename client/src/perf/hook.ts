/**
 * A small read-only hook for benchmarks and tests: `window.__netnsExplorer.drawnAt` is the
 * performance.now() at which the first snapshot was drawn and fitted, `namespaces` the count in
 * the store.
 */
import { useStore } from '../store/store.js';

export interface PerfHook {
  drawnAt: number | null;
  namespaces: number;
}

declare global {
  interface Window {
    __netnsExplorer?: PerfHook;
  }
}

const hook: PerfHook = { drawnAt: null, namespaces: 0 };

export function installPerfHook(): void {
  window.__netnsExplorer = hook;
  useStore.subscribe((s) => {
    hook.namespaces = s.live?.topology.namespaces.length ?? 0;
  });
}

export function markDrawn(): void {
  hook.drawnAt ??= performance.now();
}
