/**
 * The open trace: what was asked, the answer, and whether it is running. One trace at a time;
 * re-run when a namespace on its path changes (TraceOverlay watches the live model).
 */
import { create } from 'zustand';
import type { TraceResponse } from '../../../common/trace.js';
import type { TraceInput } from './api.js';
import { postTrace, TraceError } from './api.js';

export interface TraceState {
  input: TraceInput | null;
  result: TraceResponse | null;
  running: boolean;
  error: { message: string; field: string | null } | null;
  /** `rerun`: the answer keeps the last probe's outcome (carryProbe). */
  run(input: TraceInput, rerun?: boolean): Promise<void>;
  rerun(): void;
  close(): void;
}

/**
 * A re-run sends no probe, but the one the user asked for still happened: keep its outcome next to
 * the new prediction, and say so when the new verdict disagrees with it (pure).
 */
export function carryProbe(prev: TraceResponse | null, next: TraceResponse): TraceResponse {
  if (next.probe || !prev?.probe) return next;
  const probe = prev.probe;
  const disagrees = next.verdict !== 'unknown' && probe.ok !== (next.verdict === 'reachable');
  return {
    ...next,
    probe,
    disagreement: disagrees
      ? `the trace now predicts ${next.verdict}, but the probe (sent before the change) ${probe.ok ? 'got through' : `failed (${probe.error ?? 'no answer'})`}`
      : null,
  };
}

export const useTrace = create<TraceState>()((set, get) => {
  let generation = 0;
  return {
    input: null,
    result: null,
    running: false,
    error: null,
    async run(input, rerun = false) {
      const mine = ++generation;
      set({ input, running: true, error: null });
      try {
        const answer = await postTrace(input);
        const result = rerun ? carryProbe(get().result, answer) : answer;
        if (mine === generation) set({ result, running: false });
      } catch (e) {
        if (mine !== generation) return;
        const field = e instanceof TraceError ? e.field : null;
        set({
          running: false,
          result: null,
          error: { message: e instanceof Error ? e.message : String(e), field },
        });
      }
    },
    rerun() {
      const { input, running } = get();
      // A re-run never repeats the probe: traffic only when the user asks for it.
      if (input && !running) void get().run({ ...input, probe: false }, true);
    },
    close() {
      generation++;
      set({ input: null, result: null, running: false, error: null });
    },
  };
});
