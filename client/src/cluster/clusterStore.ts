/**
 * Hub mode on the page: the nodes (live/stale, last seen) and the edges between them, read from
 * `GET /api/cluster` every few seconds. A single-host server has no such endpoint: the first
 * answer that is not a cluster view stops the polling and the page stays as it was.
 */
import { create } from 'zustand';
import type { ClusterView } from '../../../common/cluster.js';
import { picture } from '../picture/picture.js';

interface ClusterState {
  view: ClusterView | null;
  hidden: ReadonlySet<string>;
  toggleNode(host: string): void;
}

export const useCluster = create<ClusterState>()((set, get) => ({
  view: null,
  hidden: new Set(),
  toggleNode(host) {
    const hidden = new Set(get().hidden);
    if (hidden.has(host)) hidden.delete(host);
    else hidden.add(host);
    set({ hidden });
    picture.setCluster(hidden, get().view?.links ?? []);
  },
}));

function isClusterView(v: unknown): v is ClusterView {
  return typeof v === 'object' && v !== null && Array.isArray((v as ClusterView).nodes);
}

let started = false;

/** Starts polling once; stops for good on a server that is not a hub. */
export function startClusterPolling(everyMs = 2000): void {
  if (started) return;
  started = true;
  let lastLinks = '';
  const tick = async (): Promise<void> => {
    let res: Response;
    try {
      res = await fetch('/api/cluster', { credentials: 'same-origin' });
    } catch {
      setTimeout(() => void tick(), everyMs);
      return;
    }
    if (res.status === 404 || !(res.headers.get('content-type') ?? '').includes('json')) return;
    const body: unknown = res.ok ? await res.json() : null;
    if (body !== null && !isClusterView(body)) return;
    if (body !== null) {
      useCluster.setState({ view: body });
      const links = JSON.stringify(body.links);
      if (links !== lastLinks) {
        lastLinks = links;
        picture.setCluster(useCluster.getState().hidden, body.links);
      }
    }
    setTimeout(() => void tick(), everyMs);
  };
  void tick();
}
