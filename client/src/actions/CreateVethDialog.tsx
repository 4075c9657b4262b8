/**
 * The dialog opened by dragging between namespaces' `new-veth` handles. It proposes free names,
 * optional CIDRs and "bring both ends up"; while the request runs the canvas shows a pending edge,
 * and the new edge itself arrives through the live stream.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useLive } from '../sync/live.js';
import { useInteraction } from '../ui/interaction.js';
import { isIfName } from '../../../common/api.js';
import { ApiError, callAction } from './api.js';
import { proposeVethNames } from './names.js';

export function CreateVethDialog(props: { a: string; b: string; onClose(): void }) {
  const topology = useLive((s) => s.live?.topology ?? null);
  const [initial] = useState(() => proposeVethNames(topology, props.a, props.b));
  const [nameA, setNameA] = useState(initial[0]);
  const [nameB, setNameB] = useState(initial[1]);
  const [addrA, setAddrA] = useState('');
  const [addrB, setAddrB] = useState('');
  const [up, setUp] = useState(true);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const nsName = (id: string) => topology?.namespaces.find((n) => n.id === id)?.name ?? id;

  const localError = !isIfName(nameA)
    ? 'a.name'
    : !isIfName(nameB)
      ? 'b.name'
      : props.a === props.b && nameA === nameB
        ? 'b.name'
        : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (pending || localError) return;
    setPending(true);
    setError(null);
    try {
      // The canvas draws a pending edge between the boxes until the real one arrives by a delta.
      const a = { namespace: props.a, name: nameA };
      const b = { namespace: props.b, name: nameB };
      await useInteraction.getState().withPendingVeth(a, b, () =>
        callAction('createVeth', {
          a: { ...a, ...(addrA.trim() ? { address: addrA.trim() } : {}) },
          b: { ...b, ...(addrB.trim() ? { address: addrB.trim() } : {}) },
          up,
        }),
      );
      props.onClose();
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      const msg = err instanceof Error ? err.message : String(err);
      setError({ message: msg, ...(field ? { field } : {}) });
      setPending(false);
    }
  }

  const end = (
    label: string,
    ns: string,
    name: string,
    setName: (s: string) => void,
    addr: string,
    setAddr: (s: string) => void,
    key: 'a' | 'b',
  ) => (
    <fieldset className="veth-end">
      <legend>
        {label}: {nsName(ns)}
      </legend>
      <label>
        Name ({label})
        <input
          aria-label={`Name of end ${label}`}
          value={name}
          maxLength={15}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={localError === `${key}.name` || error?.field === `${key}.name`}
        />
      </label>
      <label>
        Address ({label}, optional)
        <input
          aria-label={`Address of end ${label}`}
          placeholder="10.1.0.1/24"
          value={addr}
          onChange={(e) => setAddr(e.target.value)}
          aria-invalid={error?.field === `${key}.address`}
        />
      </label>
    </fieldset>
  );

  // The page's modal frame (App) supplies the backdrop; a second, fixed one here hid that frame
  // and left the form transparent over the canvas.
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="veth-dialog-title" aria-busy={pending}>
      <form onSubmit={(e) => void submit(e)}>
        <h2 id="veth-dialog-title">New veth pair</h2>
        {end('A', props.a, nameA, setNameA, addrA, setAddrA, 'a')}
        {end('B', props.b, nameB, setNameB, addrB, setAddrB, 'b')}
        <label>
          <input type="checkbox" checked={up} onChange={(e) => setUp(e.target.checked)} /> Bring both ends up
        </label>
        {localError && (
          <p className="field-hint">
            Names: 1-15 letters, digits, _ . - (not starting with - or .), distinct.
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error.message}
          </p>
        )}
        {pending && (
          <p role="status" className="pending">
            Creating {nameA} ↔ {nameB}…
          </p>
        )}
        <div className="buttons">
          <button type="button" onClick={props.onClose} disabled={pending}>
            Cancel
          </button>
          <button type="submit" disabled={pending || localError !== null}>
            Create
          </button>
        </div>
      </form>
    </div>
  );
}
