/** Side panel for an interface: details, its veth peer (a link there), its bridge or ports. */
import type { Interface } from '../../../common/model.js';
import { InterfaceActions } from '../actions/InterfaceActions.js';
import { danglingReason, isUp } from '../model/interface.js';
import { useLive } from '../sync/live.js';
import { useUi } from '../ui/uiStore.js';

function Goto({ iface, testId }: { iface: Interface; testId: string }) {
  const nsName = useLive(
    (s) => s.live?.topology.namespaces.find((n) => n.id === iface.namespace)?.name ?? '?',
  );
  return (
    <button
      type="button"
      className="link-button"
      data-testid={testId}
      data-target={iface.id}
      onClick={() => useUi.getState().select({ kind: 'interface', id: iface.id }, true)}
    >
      {iface.name} <span className="muted">in {nsName}</span>
    </button>
  );
}

export function InterfacePanel({ iface }: { iface: Interface }) {
  const t = useLive((s) => s.live?.topology);
  const readOnly = useLive((s) => s.live?.readOnly ?? true);
  if (!t) return null;
  const find = (id: string | null) => (id ? t.interfaces.find((i) => i.id === id) : undefined);
  const peer = find(iface.peer);
  const master = find(iface.master);
  const lower = find(iface.lower);
  const ns = t.namespaces.find((n) => n.id === iface.namespace);
  const ports = iface.kind === 'bridge' ? t.interfaces.filter((i) => i.master === iface.id) : [];
  const dangling = danglingReason(iface);
  return (
    <>
      <header className="panel-head">
        <span className={`state-dot ${isUp(iface) ? 'up' : 'down'}`} />
        <h2 data-testid="panel-title">{iface.name}</h2>
        <span className="muted">{iface.kind}</span>
      </header>
      <dl className="facts">
        <dt>namespace</dt>
        <dd>
          <button
            type="button"
            className="link-button"
            onClick={() => useUi.getState().select({ kind: 'namespace', id: iface.namespace }, true)}
          >
            {ns?.name ?? iface.namespace}
          </button>
        </dd>
        <dt>state</dt>
        <dd data-testid="panel-state">{iface.state}</dd>
        <dt>flags</dt>
        <dd>{iface.flags.join(', ') || '—'}</dd>
        <dt>ifindex</dt>
        <dd>{iface.ifindex}</dd>
        <dt>mtu</dt>
        <dd>{iface.mtu}</dd>
        <dt>mac</dt>
        <dd>
          <code>{iface.mac ?? '—'}</code>
        </dd>
        {iface.alias && (
          <>
            <dt>alias</dt>
            <dd>{iface.alias}</dd>
          </>
        )}
        <dt>addresses</dt>
        <dd data-testid="panel-addresses">
          {iface.addresses.length === 0 && <span className="muted">none</span>}
          {iface.addresses.map((a) => (
            <div key={a.cidr}>
              <code>{a.cidr}</code> <span className="muted">scope {a.scope}</span>
            </div>
          ))}
        </dd>
        {iface.kind === 'veth' && (
          <>
            <dt>peer</dt>
            <dd>
              {peer ? (
                <Goto iface={peer} testId="peer-link" />
              ) : (
                <span className="error-text">{dangling}</span>
              )}
            </dd>
          </>
        )}
        {master && (
          <>
            <dt>{master.kind === 'bridge' ? 'bridge' : 'master'}</dt>
            <dd>
              <Goto iface={master} testId="bridge-link" />
              {iface.bridgePortState && <span className="muted"> ({iface.bridgePortState})</span>}
            </dd>
          </>
        )}
        {lower && (
          <>
            <dt>lower</dt>
            <dd>
              <Goto iface={lower} testId="lower-link" />
            </dd>
          </>
        )}
        {iface.kind === 'bridge' && (
          <>
            <dt>ports</dt>
            <dd data-testid="bridge-ports">
              {ports.length === 0 && <span className="muted">none</span>}
              {ports.map((p) => (
                <div key={p.id}>
                  <Goto iface={p} testId="port-link" />
                </div>
              ))}
            </dd>
          </>
        )}
      </dl>
      {!readOnly && <InterfaceActions iface={iface} />}
    </>
  );
}
