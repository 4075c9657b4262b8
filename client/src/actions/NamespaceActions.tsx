/**
 * Namespace side-panel actions: add/remove routes (host route, via gateway, default; table
 * choice), create a bridge, delete the namespace when it is named and was made here.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Namespace } from '../../../common/model.js';
import { useLive } from '../sync/live.js';
import { ActionStatus } from './ActionStatus.js';
import type { ActionRequest } from '../../../common/api.js';
import { callAction } from './api.js';
import { namesIn, proposeName } from './names.js';
import { useAction } from './useAction.js';

type RouteKind = 'host' | 'network' | 'default';

export function NamespaceActions(props: { namespace: Namespace }) {
  const ns = props.namespace;
  const topology = useLive((s) => s.live?.topology ?? null);
  const readOnly = useLive((s) => s.live?.readOnly ?? true);
  const ifaces = (topology?.interfaces ?? []).filter((i) => i.namespace === ns.id);
  const routes = (topology?.routes ?? []).filter(
    (r) => r.namespace === ns.id && r.type === 'unicast' && r.table !== 'local',
  );
  const act = useAction();

  const [kind, setKind] = useState<RouteKind>('host');
  const [dst, setDst] = useState('');
  const [gateway, setGateway] = useState('');
  const [dev, setDev] = useState('');
  const [table, setTable] = useState('main');
  const [bridge, setBridge] = useState(() => proposeName('br', namesIn(topology, ns.id)));

  if (readOnly) return <p className="muted">Read-only: changes are disabled.</p>;

  async function addRoute(e: FormEvent) {
    e.preventDefault();
    const body: ActionRequest<'addRoute'> = {
      namespace: ns.id,
      dst: kind === 'default' ? 'default' : dst.trim(),
      table: table === 'main' ? 'main' : Number(table),
      ...(gateway.trim() ? { gateway: gateway.trim() } : {}),
      ...(dev ? { dev } : {}),
      ...(kind === 'default' && !gateway.trim() && dev ? { family: 'inet' as const } : {}),
    };
    await act.run(`add route ${body.dst}`, () => callAction('addRoute', body));
  }

  const tableOk = table === 'main' || /^[1-9][0-9]{0,9}$/.test(table);
  const madeHere = ns.kind === 'named' && ns.netnsNames.length > 0;

  return (
    <section aria-label="Namespace actions" className="actions">
      <form aria-label="Add route" onSubmit={(e) => void addRoute(e)}>
        <h3>Add route</h3>
        <label>
          Kind
          <select aria-label="Route kind" value={kind} onChange={(e) => setKind(e.target.value as RouteKind)}>
            <option value="host">host (e.g. 8.8.8.8)</option>
            <option value="network">network (CIDR)</option>
            <option value="default">default</option>
          </select>
        </label>
        {kind !== 'default' && (
          <label>
            Destination
            <input
              aria-label="Destination"
              placeholder={kind === 'host' ? '8.8.8.8' : '10.2.0.0/24'}
              value={dst}
              onChange={(e) => setDst(e.target.value)}
            />
          </label>
        )}
        <label>
          Gateway
          <input
            aria-label="Gateway"
            placeholder="via (optional)"
            value={gateway}
            onChange={(e) => setGateway(e.target.value)}
          />
        </label>
        <label>
          Device
          <select aria-label="Device" value={dev} onChange={(e) => setDev(e.target.value)}>
            <option value="">(none)</option>
            {ifaces.map((i) => (
              <option key={i.id} value={i.name}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Table
          <input
            aria-label="Table"
            list={`tables-${ns.id}`}
            value={table}
            onChange={(e) => setTable(e.target.value)}
          />
          <datalist id={`tables-${ns.id}`}>
            <option value="main" />
            <option value="100" />
          </datalist>
        </label>
        <button
          type="submit"
          disabled={
            !!act.pending || !tableOk || (kind !== 'default' && !dst.trim()) || (!dev && !gateway.trim())
          }
        >
          Add route
        </button>
      </form>

      {routes.length > 0 && (
        <div>
          <h3>Remove route</h3>
          <ul aria-label="Routes">
            {routes.map((r) => (
              <li key={r.id}>
                <code>
                  {r.dst}
                  {r.gateway ? ` via ${r.gateway}` : ''}
                  {r.dev ? ` dev ${r.dev}` : ''}
                  {r.table !== 'main' ? ` table ${r.table}` : ''}
                </code>{' '}
                <button
                  type="button"
                  aria-label={`Remove route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}`}
                  disabled={!!act.pending}
                  onClick={() =>
                    void act.run(`remove route ${r.dst}`, () => callAction('removeRoute', { id: r.id }))
                  }
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      <form
        aria-label="Create bridge"
        onSubmit={(e) => {
          e.preventDefault();
          void act.run(`create bridge ${bridge}`, () =>
            callAction('createBridge', { namespace: ns.id, name: bridge, up: true }),
          );
        }}
      >
        <h3>Create bridge</h3>
        <input
          aria-label="Bridge name"
          value={bridge}
          maxLength={15}
          onChange={(e) => setBridge(e.target.value)}
        />
        <button type="submit" disabled={!!act.pending}>
          Create bridge
        </button>
      </form>

      {madeHere && (
        <button
          type="button"
          className="danger"
          disabled={!!act.pending}
          onClick={() => {
            if (window.confirm(`Delete namespace ${ns.name}? Every veth into it goes too.`))
              void act.run(`delete namespace ${ns.name}`, () =>
                callAction('deleteNamespace', {}, { id: ns.id }),
              );
          }}
        >
          Delete namespace
        </button>
      )}
      <ActionStatus state={act} />
    </section>
  );
}
