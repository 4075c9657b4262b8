/**
 * A small read-only hook for benchmarks and tests: `window.__netnsExplorer.drawnAt` is the
 * performance.now() at which the first snapshot was drawn and fitted, `namespaces` the count in
 * the live model. `epoch`/`seq` say which model the page holds (tests compare exports with
 * `GET /api/topology` at the same seq), and `position(id)` gives a node's place in flow
 * coordinates, which unlike screen coordinates do not depend on the viewport (fit-to-view on load
 * zooms differently when the picture changed; a box inside a closed aggregate has its place too); `saved()` the dragged places kept for the next visit.
 */
import type { XY } from '../graph/types.js';
import type { PerfHook } from './hookTypes.js';
import { picture } from '../picture/picture.js';
import { loadPositions } from '../picture/positions.js';
import { liveModel } from '../sync/live.js';

function position(id: string): XY | null {
  const { nodes, folded, layout } = picture.store.getState();
  const n = nodes.find((x) => x.id === id);
  if (n) return { x: n.position.x, y: n.position.y };
  // A box inside a closed aggregate (zoomed out) is placed, just not drawn on its own.
  const p = folded.has(id) ? layout.pos[id] : undefined;
  return p ? { x: p.x, y: p.y } : null;
}

const hook: PerfHook = {
  drawnAt: null,
  namespaces: 0,
  epoch: null,
  seq: null,
  layoutRuns: 0,
  position,
  saved: loadPositions,
};

export function installPerfHook(): void {
  window.__netnsExplorer = hook;
  liveModel.store.subscribe((s) => {
    hook.namespaces = s.live?.topology.namespaces.length ?? 0;
    hook.epoch = s.live?.epoch ?? null;
    hook.seq = s.live?.seq ?? null;
  });
  picture.store.subscribe((s) => {
    hook.layoutRuns = s.layoutRuns;
  });
}

export function markDrawn(): void {
  hook.drawnAt ??= performance.now();
}
