/** The page's one live model and its React hook (components select narrow slices). */
import { useStore } from 'zustand';
import { createLiveModel } from './liveModel.js';
import type { LiveModelState } from './liveModel.js';

export const liveModel = createLiveModel();

export function useLive<T>(select: (s: LiveModelState) => T): T {
  return useStore(liveModel.store, select);
}
