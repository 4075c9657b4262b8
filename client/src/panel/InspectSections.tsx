/** Listening sockets and firewall rules of a namespace, loaded from the server when shown. */
import { useState } from 'react';
import type { FirewallResponse, SocketsResponse } from '../../../common/inspect.js';
import { useFetchJson } from './useFetchJson.js';

function Reload({ onClick }: { onClick(): void }) {
  return (
    <button type="button" className="link-button" onClick={onClick} title="Load again">
      ↻
    </button>
  );
}

export function Sockets({ nsId }: { nsId: string }) {
  const [key, setKey] = useState(0);
  const st = useFetchJson<SocketsResponse>(`/api/namespaces/${encodeURIComponent(nsId)}/sockets`, key);
  return (
    <section data-testid="sockets">
      <h3>
        Listening sockets <span className="muted">ss -ltnup</span> <Reload onClick={() => setKey(key + 1)} />
      </h3>
      {st.status === 'loading' && <div className="muted">loading…</div>}
      {st.status === 'error' && <div className="error-text">{st.message}</div>}
      {st.status === 'ok' &&
        (st.data.sockets.length === 0 ? (
          <div className="muted">nothing listening</div>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>Proto</th>
                <th>Local</th>
                <th>Port</th>
                <th>Process</th>
              </tr>
            </thead>
            <tbody>
              {st.data.sockets.map((s, i) => (
                <tr key={`${s.proto}-${s.local}-${s.port}-${i}`} data-testid="socket-row">
                  <td>{s.proto}</td>
                  <td>{s.local}</td>
                  <td>{s.port ?? '?'}</td>
                  <td>{s.process ? `${s.process} (${s.pid})` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}

export function Firewall({ nsId }: { nsId: string }) {
  const [key, setKey] = useState(0);
  const st = useFetchJson<FirewallResponse>(`/api/namespaces/${encodeURIComponent(nsId)}/firewall`, key);
  return (
    <section data-testid="firewall">
      <h3>
        Firewall <Reload onClick={() => setKey(key + 1)} />
      </h3>
      {st.status === 'loading' && <div className="muted">loading…</div>}
      {st.status === 'error' && <div className="error-text">{st.message}</div>}
      {st.status === 'ok' && st.data.tool === 'none' && (
        <div className="muted" data-testid="firewall-summary">
          {st.data.text}
        </div>
      )}
      {st.status === 'ok' && st.data.tool !== 'none' && (
        <>
          <div className="muted" data-testid="firewall-summary">
            {st.data.tool === 'nft' ? 'nft list ruleset' : 'iptables-save'}: {st.data.rules} rule
            {st.data.rules === 1 ? '' : 's'}
          </div>
          {st.data.text.trim() ? (
            <pre className="firewall-text">{st.data.text}</pre>
          ) : (
            <div className="muted">empty ruleset</div>
          )}
        </>
      )}
    </section>
  );
}
