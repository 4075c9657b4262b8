/** Side panel for a namespace: ip a, routes, processes and containers, sockets, firewall. */
import { useMemo } from 'react';
import type { Namespace, Topology } from '../../../common/model.js';
import { NamespaceActions } from '../actions/NamespaceActions.js';
import { containerLabel, sharingText } from '../model/namespace.js';
import { groupLabel } from '../model/groups.js';
import { useLive } from '../sync/live.js';
import { useUi } from '../ui/uiStore.js';
import { ipALines } from './ipA.js';
import { Firewall, Sockets } from './InspectSections.js';
import { RouteTables } from './RouteTables.js';
import { TraceSection } from '../trace/TraceSection.js';

function IpA({ ns, t }: { ns: Namespace; t: Topology }) {
  const byId = useMemo(() => new Map(t.interfaces.map((i) => [i.id, i])), [t.interfaces]);
  const mine = t.interfaces.filter((i) => i.namespace === ns.id).sort((a, b) => a.ifindex - b.ifindex);
  return (
    <section data-testid="ip-a">
      <h3>
        Interfaces <span className="muted">ip a</span>
      </h3>
      {mine.map((i) => (
        <pre key={i.id} className="ip-a-entry">
          <button
            type="button"
            className="link-button"
            data-testid="panel-iface-link"
            onClick={() => useUi.getState().select({ kind: 'interface', id: i.id }, true)}
          >
            {i.name}
          </button>
          {'\n'}
          {ipALines(i, {
            peerIfindex: i.peer ? (byId.get(i.peer)?.ifindex ?? null) : null,
            masterName: i.master ? (byId.get(i.master)?.name ?? null) : null,
          }).join('\n')}
        </pre>
      ))}
      {mine.length === 0 && <div className="muted">no interfaces</div>}
    </section>
  );
}

export function NamespacePanel({ ns }: { ns: Namespace }) {
  const t = useLive((s) => s.live?.topology);
  const readOnly = useLive((s) => s.live?.readOnly ?? true);
  const routes = useMemo(() => (t ? t.routes.filter((r) => r.namespace === ns.id) : []), [t, ns.id]);
  if (!t) return null;
  const shared = sharingText(ns);
  return (
    <>
      <header className="panel-head">
        <span className={`kind-badge kind-${ns.kind}`}>{ns.kind}</span>
        <h2 data-testid="panel-title">{ns.name}</h2>
      </header>
      <dl className="facts">
        <dt>id</dt>
        <dd>
          <code>{ns.id}</code>
        </dd>
        {ns.netnsNames.length > 0 && (
          <>
            <dt>ip netns</dt>
            <dd>{ns.netnsNames.join(', ')}</dd>
          </>
        )}
        {ns.mounts.length > 0 && (
          <>
            <dt>mounts</dt>
            <dd>{ns.mounts.join(', ')}</dd>
          </>
        )}
        {shared && (
          <>
            <dt>sharing</dt>
            <dd>{shared}</dd>
          </>
        )}
        {ns.error && (
          <>
            <dt>error</dt>
            <dd className="error-text">{ns.error}</dd>
          </>
        )}
      </dl>
      <IpA ns={ns} t={t} />
      <section data-testid="routes">
        <h3>Routes</h3>
        <RouteTables routes={routes} />
      </section>
      <section data-testid="processes">
        <h3>
          Processes <span className="muted">({ns.pids.length})</span>
        </h3>
        <ul className="plain">
          {ns.processes.map((p) => (
            <li key={p.pid}>
              <code>{p.pid}</code> {p.command}
            </li>
          ))}
          {ns.pids.length > ns.processes.length && (
            <li className="muted">… and {ns.pids.length - ns.processes.length} more</li>
          )}
        </ul>
        {ns.containers.length > 0 && (
          <>
            <h4>Containers</h4>
            <ul className="plain" data-testid="containers">
              {ns.containers.map((c) => (
                <li key={`${c.runtime}:${c.id}`}>
                  <strong>{containerLabel(c)}</strong> <span className="muted">{c.runtime}</span>
                  {c.image && <> · {c.image}</>}
                  {c.pod && <span className="muted"> · pod {c.pod}</span>}
                  {c.group && <span className="muted"> · {groupLabel(c.group)}</span>}
                  {c.sharedNamespace && <span className="shared"> shares this namespace</span>}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <TraceSection nsId={ns.id} />
      <Sockets nsId={ns.id} />
      <Firewall nsId={ns.id} />
      {!readOnly && (
        <section data-testid="namespace-actions">
          <h3>Change</h3>
          <NamespaceActions namespace={ns} />
        </section>
      )}
    </>
  );
}
