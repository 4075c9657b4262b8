/**
 * The shape of `window.__netnsExplorer` (see hook.ts), in a file of its own without runtime
 * imports so the end-to-end tests can type what they read from the page.
 */
import type { XY } from '../graph/types.js';

export interface PerfHook {
  drawnAt: number | null;
  namespaces: number;
  epoch: string | null;
  seq: number | null;
  /** Layouts adopted so far (the first picture, then every Re-layout). */
  layoutRuns: number;
  /** A box's absolute or an interface's box-relative position, as handed to React Flow. */
  position(id: string): XY | null;
  /** Positions the user dragged to, as kept for the next visit. */
  saved(): Record<string, XY>;
}

declare global {
  interface Window {
    __netnsExplorer?: PerfHook;
  }
}
