/** The page's one picture controller (ELK in a web worker, places in localStorage) and its hook. */
import { useStore } from 'zustand';
import { elkEngine } from '../graph/elkEngine.js';
import { createPicture } from './controller.js';
import type { PictureState } from './controller.js';
import { browserPositions } from './positions.js';

export const picture = createPicture({ engine: elkEngine, saved: browserPositions });

export function usePicture<T>(select: (s: PictureState) => T): T {
  return useStore(picture.store, select);
}
