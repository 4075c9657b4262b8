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
  run(input: TraceInput): Promise<void>;
  rerun(): void;
  close(): void;
}

export const useTrace = create<TraceState>()((set, get) => {
  let generation = 0;
  return {
    input: null,
    result: null,
    running: false,
    error: null,
    async run(input) {
      const mine = ++generation;
      set({ input, running: true, error: null });
      try {
        const result = await postTrace(input);
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
      if (input && !running) void get().run({ ...input, probe: false });
    },
    close() {
      generation++;
      set({ input: null, result: null, running: false, error: null });
    },
  };
});
