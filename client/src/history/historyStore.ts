/**
 * What the timeline shows: live, one past moment, or the difference of two. `past` is the model
 * to draw instead of the live one (wiring.ts hands it to the picture; the canvas is read-only
 * meanwhile); this store fetches it and keeps the change list.
 */
import { create } from 'zustand';
import type { ChangeEntry, HistoryInfo } from '../../../common/history.js';
import type { Topology } from '../../../common/model.js';
import { fetchChanges, fetchInfo, fetchTopologyAt } from './api.js';
import { diffView } from './diffView.js';
import type { DiffMark } from './diffView.js';

export const BUCKETS = 120;

export type HistoryView =
  | { kind: 'live' }
  | { kind: 'moment'; at: number }
  | { kind: 'diff'; from: number; to: number; changes: ChangeEntry[]; truncated: boolean };

/** A model from history drawn instead of the live one, with its difference marks. */
export interface PastView {
  topology: Topology;
  marks: ReadonlyMap<string, DiffMark> | null;
}

interface HistoryState {
  info: HistoryInfo | null;
  past: PastView | null;
  view: HistoryView;
  error: string | null;
  refreshInfo(): Promise<void>;
  showMoment(at: number): Promise<void>;
  showDiff(from: number, to: number): Promise<void>;
  backToLive(): void;
}

/** Newer requests win: a slow answer for where the cursor was must not replace where it is. */
let ticket = 0;
let compareShown = false;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function modelOf(t: Topology): Topology {
  return {
    version: t.version,
    namespaces: t.namespaces,
    interfaces: t.interfaces,
    routes: t.routes,
    links: t.links,
  };
}

export const useHistory = create<HistoryState>()((set, get) => ({
  info: null,
  past: null,
  view: { kind: 'live' },
  error: null,

  async refreshInfo() {
    try {
      const info = await fetchInfo(BUCKETS);
      set({ info });
      if (info.compare && !compareShown) {
        compareShown = true;
        await get().showDiff(Date.parse(info.compare.from), Date.parse(info.compare.to));
      }
    } catch (e) {
      set({ error: message(e) });
    }
  },

  async showMoment(at) {
    const mine = ++ticket;
    set({ view: { kind: 'moment', at }, error: null });
    try {
      const t = await fetchTopologyAt(at);
      if (mine !== ticket) return;
      set({ past: { topology: modelOf(t), marks: null } });
    } catch (e) {
      if (mine === ticket) set({ error: message(e) });
    }
  },

  async showDiff(from, to) {
    const mine = ++ticket;
    const first = get().info?.first;
    // A start before history began compares with its first moment instead of failing.
    const start = first ? Math.max(from, Date.parse(first.time)) : from;
    set({ view: { kind: 'diff', from: start, to, changes: [], truncated: false }, error: null });
    try {
      const [a, b, list] = await Promise.all([
        fetchTopologyAt(start),
        fetchTopologyAt(to),
        fetchChanges(start, to),
      ]);
      if (mine !== ticket) return;
      const d = diffView(modelOf(a), modelOf(b));
      set({
        view: { kind: 'diff', from: start, to, changes: list.changes, truncated: list.truncated },
        past: { topology: d.topology, marks: d.marks },
      });
    } catch (e) {
      if (mine === ticket) set({ error: message(e) });
    }
  },

  backToLive() {
    ticket++;
    set({ view: { kind: 'live' }, error: null, past: null });
  },
}));

/** Time as the banner and the timeline show it: local wall-clock time. */
export function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}
