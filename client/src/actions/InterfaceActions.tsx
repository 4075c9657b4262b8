/**
 * Interface side-panel actions: up/down, add/remove address, attach to/detach from a bridge in
 * the same namespace, delete (the server refuses host devices it did not make).
 */
import { useState } from 'react';
import type { Interface } from '../../../common/model.js';
import { isAdminUp } from '../model/interface.js';
import { useLive } from '../sync/live.js';
import { ActionStatus } from './ActionStatus.js';
import { callAction } from './api.js';
import { useAction } from './useAction.js';

export const TAG_PREFIX = 'netns-explorer:';

export function InterfaceActions(props: { iface: Interface }) {
  const i = props.iface;
  const topology = useLive((s) => s.live?.topology ?? null);
  const readOnly = useLive((s) => s.live?.readOnly ?? true);
  const act = useAction();
  const [cidr, setCidr] = useState('');
  const bridges = (topology?.interfaces ?? []).filter(
    (x) => x.namespace === i.namespace && x.kind === 'bridge' && x.id !== i.id,
  );
  const [bridge, setBridge] = useState('');
  if (readOnly) return <p className="muted">Read-only: changes are disabled.</p>;

  const up = isAdminUp(i);
  const id = { id: i.id };
  const ours = i.alias?.startsWith(TAG_PREFIX) ?? false;
  const deletable = i.kind !== 'loopback' && (ours || i.kind === 'veth' || i.kind === 'bridge');

  return (
    <section aria-label="Interface actions" className="actions">
      <button
        type="button"
        disabled={!!act.pending}
        onClick={() =>
          void act.run(`set ${i.name} ${up ? 'down' : 'up'}`, () =>
            callAction('setInterfaceState', { up: !up }, id),
          )
        }
      >
        {up ? 'Set down' : 'Set up'}
      </button>

      <form
        aria-label="Add address"
        onSubmit={(e) => {
          e.preventDefault();
          const c = cidr.trim();
          void act
            .run(`add ${c}`, () => callAction('addAddress', { cidr: c }, id))
            .then((ok) => ok && setCidr(''));
        }}
      >
        <input
          aria-label="New address"
          placeholder="10.1.0.1/24"
          value={cidr}
          onChange={(e) => setCidr(e.target.value)}
        />
        <button type="submit" disabled={!!act.pending || !cidr.trim()}>
          Add address
        </button>
      </form>

      {i.addresses.length > 0 && (
        <ul aria-label="Addresses">
          {i.addresses.map((a) => (
            <li key={a.cidr}>
              <code>{a.cidr}</code>{' '}
              <button
                type="button"
                aria-label={`Remove address ${a.cidr}`}
                disabled={!!act.pending}
                onClick={() =>
                  void act.run(`remove ${a.cidr}`, () => callAction('removeAddress', { cidr: a.cidr }, id))
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}

      {i.kind !== 'bridge' && i.kind !== 'loopback' && (
        <div>
          {i.master ? (
            <button
              type="button"
              disabled={!!act.pending}
              onClick={() =>
                void act.run(`detach ${i.name}`, () => callAction('setMaster', { bridge: null }, id))
              }
            >
              Detach from bridge
            </button>
          ) : bridges.length > 0 ? (
            <form
              aria-label="Attach to bridge"
              onSubmit={(e) => {
                e.preventDefault();
                const br = bridge || bridges[0]!.id;
                void act.run(`attach ${i.name}`, () => callAction('setMaster', { bridge: br }, id));
              }}
            >
              <select
                aria-label="Bridge"
                value={bridge || bridges[0]!.id}
                onChange={(e) => setBridge(e.target.value)}
              >
                {bridges.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name}
                  </option>
                ))}
              </select>
              <button type="submit" disabled={!!act.pending}>
                Attach to bridge
              </button>
            </form>
          ) : null}
        </div>
      )}

      {deletable && (
        <button
          type="button"
          className="danger"
          disabled={!!act.pending}
          onClick={() => void act.run(`delete ${i.name}`, () => callAction('deleteInterface', {}, id))}
        >
          {i.kind === 'veth' ? 'Delete veth pair' : 'Delete interface'}
        </button>
      )}
      <ActionStatus state={act} />
    </section>
  );
}
