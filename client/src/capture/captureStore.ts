/**
 * The capture panel's own store: which interfaces are picked, the running (or last) capture,
 * its live socket, the rows shown and the per-interface rates the canvas marks. Separate from
 * the topology store: a capture never changes the picture.
 */
import { create } from 'zustand';
import type {
  CaptureCounters,
  CaptureInfo,
  CaptureServerMessage,
  PacketSummary,
} from '../../../common/capture.js';
import { appendRows, nextRates } from './model.js';
import type { RateSample } from './model.js';

export interface CaptureState {
  /** Interface ids picked for the next capture. */
  picked: string[];
  filter: string;
  capture: CaptureInfo | null;
  counters: CaptureCounters | null;
  rows: PacketSummary[];
  /** While paused the list stands still; packets keep going into the pcapng and the counters. */
  paused: boolean;
  /** Rows received while paused (shown on resume). */
  held: PacketSummary[];
  rates: Record<string, number>;
  rateSample: RateSample | null;
  busy: boolean;
  error: string | null;
  open: boolean;
  toggle(id: string): void;
  setFilter(f: string): void;
  setOpen(open: boolean): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  setPaused(p: boolean): void;
  receive(msg: CaptureServerMessage): void;
}

let socket: WebSocket | null = null;

/** Same-origin JSON call (the auth cookie rides along); rejects with the server's own message. */
async function callCaptures<T>(method: 'POST' | 'DELETE', path: string, body: unknown = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new Error(`could not reach the server: ${e instanceof Error ? e.message : String(e)}`);
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    // not JSON (a proxy answered)
  }
  if (!res.ok) {
    const err = (json as { error?: { message?: unknown } } | null)?.error?.message;
    throw new Error(typeof err === 'string' ? err : `request failed with HTTP ${res.status}`);
  }
  return json as T;
}

function liveUrl(id: string): string {
  const loc = window.location;
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/captures/${encodeURIComponent(id)}/live`;
}

export const useCapture = create<CaptureState>()((set, get) => ({
  picked: [],
  filter: '',
  capture: null,
  counters: null,
  rows: [],
  paused: false,
  held: [],
  rates: {},
  rateSample: null,
  busy: false,
  error: null,
  open: false,
  toggle: (id) =>
    set((s) => ({
      picked: s.picked.includes(id) ? s.picked.filter((x) => x !== id) : [...s.picked, id],
      open: true,
    })),
  setFilter: (filter) => set({ filter }),
  setOpen: (open) => set({ open }),
  async start() {
    const s = get();
    if (s.busy || s.picked.length === 0) return;
    set({ busy: true, error: null });
    try {
      const filter = s.filter.trim() === '' ? null : s.filter.trim();
      const r = await callCaptures<{ id: string; capture: CaptureInfo }>('POST', '/captures', {
        interfaces: s.picked,
        filter,
      });
      socket?.close();
      set({
        capture: r.capture,
        counters: r.capture.counters,
        rows: [],
        held: [],
        paused: false,
        rates: {},
        rateSample: null,
      });
      const ws = new WebSocket(liveUrl(r.id));
      socket = ws;
      ws.onmessage = (ev: MessageEvent<unknown>) => {
        if (typeof ev.data !== 'string') return;
        try {
          get().receive(JSON.parse(ev.data) as CaptureServerMessage);
        } catch {
          // not ours
        }
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
      };
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
    } finally {
      set({ busy: false });
    }
  },
  async stop() {
    const c = get().capture;
    if (!c || !c.running) return;
    set({ busy: true });
    try {
      const info = await callCaptures<CaptureInfo>('DELETE', `/captures/${encodeURIComponent(c.id)}`);
      set({ capture: info, counters: info.counters, rates: {} });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
    } finally {
      set({ busy: false });
    }
  },
  setPaused: (paused) =>
    set((s) => (paused ? { paused } : { paused, rows: appendRows(s.rows, s.held), held: [] })),
  receive(msg) {
    const s = get();
    if (msg.type === 'hello') return set({ capture: msg.capture, counters: msg.capture.counters });
    if (msg.type === 'ended') return set({ capture: msg.capture, counters: msg.capture.counters, rates: {} });
    const r = nextRates(s.rateSample, s.rates, msg.counters, Date.now());
    if (msg.type === 'counters') return set({ counters: msg.counters, rates: r.rates, rateSample: r.sample });
    if (s.paused) {
      set({
        counters: msg.counters,
        held: appendRows(s.held, msg.packets),
        rates: r.rates,
        rateSample: r.sample,
      });
    } else {
      set({
        counters: msg.counters,
        rows: appendRows(s.rows, msg.packets),
        rates: r.rates,
        rateSample: r.sample,
      });
    }
  },
}));

/** Closing the page closes the socket: the server then ends the capture. */
if (typeof window !== 'undefined') window.addEventListener('pagehide', () => socket?.close());

/** True while a running capture covers either end of an edge (the canvas marks it). */
export function useEdgeCaptured(a: string, b: string): boolean {
  return useCapture(
    (s) => !!s.capture?.running && s.capture.interfaces.some((i) => i.id === a || i.id === b),
  );
}
