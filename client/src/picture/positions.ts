/** User-dragged positions, kept in localStorage so a box stays where it was put across reloads. */
import type { XY } from '../graph/types.js';

const KEY = 'netns-explorer:positions:v1';

export function loadPositions(): Record<string, XY> {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    if (!raw) return {};
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Record<string, XY> = {};
    for (const [id, v] of Object.entries(parsed as Record<string, unknown>)) {
      const p = v as Partial<XY> | null;
      if (p && typeof p.x === 'number' && typeof p.y === 'number') out[id] = { x: p.x, y: p.y };
    }
    return out;
  } catch {
    return {};
  }
}

export function savePositions(p: Record<string, XY>): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(p));
  } catch {
    // Storage full or disabled: positions then last for this page only.
  }
}

export function clearPositions(): void {
  try {
    globalThis.localStorage?.removeItem(KEY);
  } catch {
    // Nothing to clear.
  }
}

/** Where dragged places are kept; the page uses localStorage, tests an in-memory record. */
export interface SavedPositions {
  load(): Record<string, XY>;
  save(p: Record<string, XY>): void;
  clear(): void;
}

export const browserPositions: SavedPositions = {
  load: loadPositions,
  save: savePositions,
  clear: clearPositions,
};
