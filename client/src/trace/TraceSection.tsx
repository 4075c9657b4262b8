/**
 * "Trace from here" in a namespace's panel: a destination (any address; the model's addresses
 * are offered), protocol, port, probe; then the verdict, each hop with the command whose answer
 * decided it, the way back, and the probe next to the prediction (disagreement shown).
 */
import { useMemo, useState } from 'react';
import type { Topology } from '../../../common/model.js';
import type { TraceHop, TracePath } from '../../../common/trace.js';
import { useLive } from '../sync/live.js';
import { useTrace } from './traceStore.js';
import { DragToFill } from './DragToFill.js';
import './trace.css';

function names(t: Topology | undefined) {
  const ns = new Map((t?.namespaces ?? []).map((n) => [n.id, n.name]));
  const ifs = new Map((t?.interfaces ?? []).map((i) => [i.id, i.name]));
  return {
    ns: (id: string) => ns.get(id) ?? id,
    iface: (id: string | null) => (id ? (ifs.get(id) ?? id) : null),
  };
}

function Hops({ path, label, t }: { path: TracePath; label: string; t: Topology | undefined }) {
  const n = names(t);
  return (
    <ol className="trace-hops" data-testid={`trace-${label}`}>
      {path.hops.map((h: TraceHop, i) => (
        <li
          key={i}
          className={h.ok ? 'hop-ok' : h.unknown ? 'hop-unknown' : 'hop-fail'}
          data-testid="trace-hop"
          data-action={h.action}
        >
          <div className="hop-head">
            <strong>{h.action}</strong> in {n.ns(h.namespace)}
            {h.in && <> · in {n.iface(h.in)}</>}
            {h.out && <> · out {n.iface(h.out)}</>}
          </div>
          {h.detail && <code className="hop-detail">{h.detail}</code>}
          {h.command && <div className="muted hop-command">$ {h.command}</div>}
          {h.reason && <div className={h.unknown ? 'hop-reason unknown' : 'hop-reason'}>{h.reason}</div>}
        </li>
      ))}
    </ol>
  );
}

export function TraceSection({ nsId }: { nsId: string }) {
  const t = useLive((s) => s.live?.topology);
  const readOnly = useLive((s) => s.live?.readOnly ?? true);
  const { input, result, running, error } = useTrace();
  const [to, setTo] = useState('');
  const [protocol, setProtocol] = useState<'icmp' | 'tcp' | 'udp'>('icmp');
  const [port, setPort] = useState('80');
  const [probe, setProbe] = useState(false);
  const [mark, setMark] = useState('');
  const [dropNote, setDropNote] = useState<string | null>(null);
  const addresses = useMemo(() => {
    const out = new Set<string>();
    for (const i of t?.interfaces ?? [])
      for (const a of i.addresses) if (a.scope !== 'link') out.add(a.cidr.split('/')[0]!);
    return [...out].slice(0, 500);
  }, [t]);
  const mine = input?.from === nsId;

  const submit = () => {
    const req = {
      from: nsId,
      to: to.trim(),
      protocol,
      probe,
      ...(protocol === 'icmp' ? {} : { port: Number(port) }),
      // Blank: no mark; `0x` hex as ip takes it; anything else goes to the server, which names the field.
      ...(mark.trim() ? { mark: Number(mark.trim()) } : {}),
    };
    void useTrace.getState().run(req);
  };

  return (
    <section data-testid="trace">
      <h3>Trace from here</h3>
      <form
        className="trace-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <input
          aria-label="destination address"
          data-testid="trace-to"
          placeholder="destination address"
          list="trace-addresses"
          value={to}
          onChange={(e) => {
            setTo(e.target.value);
            setDropNote(null);
          }}
        />
        <DragToFill
          onFill={(f) => {
            if (f.addr) setTo(f.addr);
            setDropNote(f.note);
          }}
        />
        <datalist id="trace-addresses">
          {addresses.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <select
          aria-label="protocol"
          value={protocol}
          onChange={(e) => setProtocol(e.target.value as 'icmp' | 'tcp' | 'udp')}
        >
          <option value="icmp">ping</option>
          <option value="tcp">tcp</option>
          <option value="udp">udp</option>
        </select>
        {protocol !== 'icmp' && (
          <input
            aria-label="port"
            className="trace-port"
            value={port}
            onChange={(e) => setPort(e.target.value)}
          />
        )}
        <input
          aria-label="mark"
          className="trace-port"
          placeholder="mark"
          title="firewall mark the packet leaves with (fwmark policy rules); blank: none"
          value={mark}
          onChange={(e) => setMark(e.target.value)}
        />
        <label title={readOnly ? 'the server needs --allow-probe for this when read-only' : undefined}>
          <input type="checkbox" checked={probe} onChange={(e) => setProbe(e.target.checked)} /> probe
        </label>
        <button type="submit" data-testid="trace-run" disabled={running || !to.trim()}>
          {running ? 'tracing…' : 'Trace'}
        </button>
      </form>
      {dropNote && (
        <div className="muted trace-drop-note" data-testid="trace-drop-note">
          {dropNote}
        </div>
      )}
      {mine && error && (
        <div className="error-text" data-testid="trace-error">
          {error.message}
        </div>
      )}
      {mine && result && (
        <div className="trace-result">
          <div className={`trace-verdict verdict-${result.verdict}`} data-testid="trace-verdict">
            {result.verdict}
            {result.source && <span className="muted"> from {result.source}</span>}
            <button type="button" className="link-button" onClick={() => useTrace.getState().close()}>
              close
            </button>
          </div>
          {result.probe && (
            <div className={result.probe.ok ? 'probe-ok' : 'probe-fail'} data-testid="trace-probe">
              probe ({result.probe.command}):{' '}
              {result.probe.ok ? `answered in ${result.probe.rttMs ?? '?'} ms` : result.probe.error}
            </div>
          )}
          {result.disagreement && (
            <div className="error-text" data-testid="trace-disagreement">
              {result.disagreement}
            </div>
          )}
          <Hops path={result} label="hops" t={t} />
          {result.returnPath && (
            <>
              <h4>Way back</h4>
              <Hops path={result.returnPath} label="return" t={t} />
            </>
          )}
        </div>
      )}
    </section>
  );
}
