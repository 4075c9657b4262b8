/**
 * The capture panel (issue 17): pick interfaces (the selected one, or any from the list), a BPF
 * filter, start; then the live packets merged by time across the interfaces, counters,
 * pause/resume, stop and the pcapng download.
 */
import { useEffect, useRef } from 'react';
import type { CaptureInfo, PacketSummary } from '../../../common/capture.js';
import { useLive } from '../sync/live.js';
import { useUi } from '../ui/uiStore.js';
import { useCapture } from './captureStore.js';
import { countersLine, formatTime } from './model.js';
import './capture.css';

function useInterfaceLabels(): Array<{ id: string; label: string }> {
  const t = useLive((s) => s.live?.topology);
  if (!t) return [];
  // Hub mode: every node has its pod1/eth0, so the label names the node (as the hub's rows do).
  const nsName = new Map(t.namespaces.map((n) => [n.id, n.host ? `${n.host}/${n.name}` : n.name]));
  return t.interfaces
    .map((i) => ({ id: i.id, label: `${nsName.get(i.namespace) ?? i.namespace}/${i.name}` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

function Picker({ running }: { running: boolean }) {
  const picked = useCapture((s) => s.picked);
  const labels = useInterfaceLabels();
  const selection = useUi((s) => s.selection);
  const labelOf = (id: string) => labels.find((l) => l.id === id)?.label ?? id;
  const toggle = useCapture.getState().toggle;
  const selectedIface = selection?.kind === 'interface' ? selection.id : null;
  return (
    <div className="capture-picker">
      {picked.map((id) => (
        <span key={id} className="capture-chip" data-testid="capture-chip">
          {labelOf(id)}
          {!running && (
            <button type="button" aria-label={`Remove ${labelOf(id)}`} onClick={() => toggle(id)}>
              ×
            </button>
          )}
        </span>
      ))}
      {!running && selectedIface && !picked.includes(selectedIface) && (
        <button type="button" data-testid="capture-add-selected" onClick={() => toggle(selectedIface)}>
          + {labelOf(selectedIface)}
        </button>
      )}
      {!running && (
        <select
          aria-label="Add an interface"
          data-testid="capture-add"
          value=""
          onChange={(e) => e.target.value && toggle(e.target.value)}
        >
          <option value="">add interface…</option>
          {labels
            .filter((l) => !picked.includes(l.id))
            .map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
              </option>
            ))}
        </select>
      )}
    </div>
  );
}

function Rows({ capture }: { capture: CaptureInfo }) {
  const rows = useCapture((s) => s.rows);
  const box = useRef<HTMLDivElement>(null);
  const label = new Map(capture.interfaces.map((i) => [i.id, i.label]));
  // Follow the newest row by scrolling the list itself (scrollIntoView would scroll the page too).
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [rows]);
  return (
    <div className="capture-rows" data-testid="capture-rows" ref={box}>
      <table>
        <thead>
          <tr>
            <th>time</th>
            <th>interface</th>
            <th>source → destination</th>
            <th>protocol</th>
            <th>length</th>
            <th>summary</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p: PacketSummary) => (
            <tr key={p.n} data-testid="capture-row" data-iface={p.iface}>
              <td>{formatTime(p.tsUs)}</td>
              <td>{label.get(p.iface) ?? p.iface}</td>
              <td>
                {p.src} → {p.dst}
              </td>
              <td>{p.protocol}</td>
              <td>{p.length}</td>
              <td>{p.summary}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CapturePanel() {
  const open = useCapture((s) => s.open);
  const capture = useCapture((s) => s.capture);
  const counters = useCapture((s) => s.counters);
  const filter = useCapture((s) => s.filter);
  const paused = useCapture((s) => s.paused);
  const busy = useCapture((s) => s.busy);
  const error = useCapture((s) => s.error);
  const picked = useCapture((s) => s.picked);
  const st = useCapture.getState();
  if (!open) {
    return (
      <button
        type="button"
        className="capture-tab"
        data-testid="capture-open"
        onClick={() => st.setOpen(true)}
      >
        Capture{capture?.running ? ' ●' : ''}
      </button>
    );
  }
  const running = capture?.running ?? false;
  return (
    <section className="capture-panel" data-testid="capture-panel" aria-label="Packet capture">
      <header className="capture-head">
        <h2>Capture</h2>
        <Picker running={running} />
        <button
          type="button"
          className="close"
          aria-label="Hide capture panel"
          onClick={() => st.setOpen(false)}
        >
          ×
        </button>
      </header>
      <div className="capture-controls">
        <input
          type="text"
          aria-label="BPF filter"
          data-testid="capture-filter"
          placeholder="BPF filter, e.g. icmp or tcp port 80"
          value={filter}
          disabled={running}
          onChange={(e) => st.setFilter(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && void st.start()}
        />
        {!running && (
          <button
            type="button"
            data-testid="capture-start"
            disabled={busy || picked.length === 0}
            onClick={() => void st.start()}
          >
            Start
          </button>
        )}
        {running && (
          <>
            <button type="button" data-testid="capture-pause" onClick={() => st.setPaused(!paused)}>
              {paused ? 'Resume' : 'Pause'}
            </button>
            <button type="button" data-testid="capture-stop" disabled={busy} onClick={() => void st.stop()}>
              Stop
            </button>
          </>
        )}
        {capture && (
          <a
            href={`/api/captures/${encodeURIComponent(capture.id)}/pcapng`}
            download
            data-testid="capture-download"
          >
            Download pcapng
          </a>
        )}
        {counters && (
          <span className="capture-counters" data-testid="capture-counters">
            {countersLine(counters)}
          </span>
        )}
      </div>
      {error && (
        <div className="capture-error" role="alert" data-testid="capture-error">
          {error}
        </div>
      )}
      {capture && !capture.running && capture.endReason && (
        <div className="capture-ended" data-testid="capture-ended">
          Ended: {capture.endReason}
        </div>
      )}
      {capture && <Rows capture={capture} />}
    </section>
  );
}

/** Marks a captured (or picked) interface on the canvas, with its live packet rate. */
export function CaptureBadge({ ifaceId }: { ifaceId: string }) {
  const state = useCapture((s) => {
    const live = s.capture?.running && s.capture.interfaces.some((i) => i.id === ifaceId);
    if (live) return `${Math.round(s.rates[ifaceId] ?? 0)}`;
    return s.picked.includes(ifaceId) && !s.capture?.running ? 'picked' : null;
  });
  if (state === null) return null;
  return (
    <span
      className={`capture-badge${state === 'picked' ? ' picked' : ''}`}
      data-testid="capture-badge"
      title="packet capture"
    >
      {state === 'picked' ? '◌ capture' : `● ${state} pkt/s`}
    </span>
  );
}
