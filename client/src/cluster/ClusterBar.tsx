/**
 * Hub mode: one chip per node (the node filter: unticked nodes' namespaces are hidden), its
 * state and, when stale, the time it was last seen; then how many edges join the nodes, and
 * the "new namespace" form (NewNamespace.tsx).
 * Renders nothing on a single-host server.
 */
import { useEffect } from 'react';
import { useLive } from '../sync/live.js';
import { startClusterPolling, useCluster } from './clusterStore.js';
import { NewNamespace } from './NewNamespace.js';
import './cluster.css';

export function ClusterBar() {
  useEffect(() => startClusterPolling(), []);
  const view = useCluster((s) => s.view);
  const hidden = useCluster((s) => s.hidden);
  const toggle = useCluster((s) => s.toggleNode);
  const namespaces = useLive((s) => s.live?.topology.namespaces);
  if (!view) return null;
  const count = (host: string) => namespaces?.filter((n) => n.host === host).length ?? 0;
  const vxlan = view.links.filter((l) => l.kind !== 'route').length; // vxlan and geneve
  const routes = view.links.filter((l) => l.kind === 'route').length;
  return (
    <div className="cluster-bar" data-testid="cluster-bar" role="group" aria-label="Nodes">
      {view.nodes.map((n) => {
        const host = n.host ?? n.url;
        return (
          <label
            key={n.url}
            className={`cluster-node cluster-${n.state}`}
            data-testid="cluster-node"
            data-host={host}
            data-state={n.state}
            title={n.error ?? n.url}
          >
            <input type="checkbox" checked={!hidden.has(host)} onChange={() => toggle(host)} />
            <span className="cluster-host">{host}</span>
            <span className="cluster-count">{count(host)} ns</span>
            {n.readOnly === true && (
              <span
                className="cluster-readonly"
                data-testid="cluster-readonly"
                title="its agent runs without --allow-changes"
              >
                read-only
              </span>
            )}
            <span className="cluster-state">
              {n.state === 'stale' ? `stale, last seen ${n.lastSeen ?? '?'}` : n.state}
            </span>
          </label>
        );
      })}
      <span className="cluster-links" data-testid="cluster-links">
        {vxlan} overlay {vxlan === 1 ? 'edge' : 'edges'}, {routes} node {routes === 1 ? 'route' : 'routes'}
      </span>
      <NewNamespace />
    </div>
  );
}
