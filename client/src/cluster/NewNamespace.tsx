/**
 * Hub mode: the "new namespace" form. The hub forwards the creation to the chosen node's agent,
 * so the request names the node (common/api.ts `HubActionRequest`); only writable nodes are
 * offered (newNamespaceNode.ts), and the namespace shows up in that node's frame through the
 * live stream like any other change.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { NETNS_NAME_RE } from '../../../common/api.js';
import type { HubActionRequest } from '../../../common/api.js';
import { ActionStatus } from '../actions/ActionStatus.js';
import { callAction } from '../actions/api.js';
import { useAction } from '../actions/useAction.js';
import { useCluster } from './clusterStore.js';
import { defaultNewNamespaceNode, writableNodes } from './newNamespaceNode.js';

export function NewNamespace() {
  const view = useCluster((s) => s.view);
  const hidden = useCluster((s) => s.hidden);
  const [open, setOpen] = useState(false);
  const [node, setNode] = useState<string | null>(null);
  const [name, setName] = useState('');
  const act = useAction();
  if (!view) return null;
  const choices = writableNodes(view.nodes);
  const readOnly = view.nodes.filter((n) => n.host !== null && n.readOnly !== false).map((n) => n.host);

  function openForm() {
    setNode(defaultNewNamespaceNode(view!.nodes, hidden));
    setOpen(true);
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!node) return;
    const body: HubActionRequest<'createNamespace'> = { node, name: name.trim() };
    await act.run(`create namespace ${body.name} on ${node}`, () => callAction('createNamespace', body));
  }

  if (!open)
    return (
      <button
        type="button"
        data-testid="new-namespace-open"
        disabled={choices.length === 0}
        title={choices.length === 0 ? 'every node is read-only (agents without --allow-changes)' : undefined}
        onClick={openForm}
      >
        New namespace
      </button>
    );
  const nameOk = NETNS_NAME_RE.test(name.trim());
  return (
    <form
      className="cluster-new-ns"
      aria-label="New namespace"
      data-testid="new-namespace"
      onSubmit={(e) => void create(e)}
    >
      <label>
        Node
        <select
          aria-label="Node"
          data-testid="new-namespace-node"
          value={node ?? ''}
          onChange={(e) => setNode(e.target.value)}
        >
          {choices.map((c) => (
            <option key={c.host} value={c.host}>
              {c.host}
              {c.stale ? ' (stale)' : ''}
            </option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input
          aria-label="Namespace name"
          data-testid="new-namespace-name"
          value={name}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <button type="submit" data-testid="new-namespace-create" disabled={!!act.pending || !node || !nameOk}>
        Create
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Close
      </button>
      {readOnly.length > 0 && <span className="muted">read-only, not offered: {readOnly.join(', ')}</span>}
      <ActionStatus state={act} />
    </form>
  );
}
