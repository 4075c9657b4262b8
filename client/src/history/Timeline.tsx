/**
 * The timeline under the canvas: change density over the recorded time, a cursor to drag back
 * to any moment, a range to drag in compare mode, "Last 5 min" and "Live".
 */
import { useEffect, useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent, KeyboardEvent as ReactKeyboardEvent } from 'react';
import { clock, useHistory } from './historyStore.js';
import './history.css';

const INFO_EVERY_MS = 10_000;
const FIVE_MINUTES = 5 * 60_000;

function useInfoPolling(): void {
  useEffect(() => {
    void useHistory.getState().refreshInfo();
    const t = setInterval(() => void useHistory.getState().refreshInfo(), INFO_EVERY_MS);
    return () => clearInterval(t);
  }, []);
}

export function Timeline() {
  useInfoPolling();
  const info = useHistory((s) => s.info);
  const view = useHistory((s) => s.view);
  const error = useHistory((s) => s.error);
  const [compare, setCompare] = useState(false);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const track = useRef<HTMLDivElement>(null);

  if (!info) return null;
  if (!info.enabled || !info.first || !info.last || info.buckets.length === 0) {
    return (
      <div className="timeline timeline-off" data-testid="timeline">
        {info.enabled ? 'History: nothing recorded yet' : 'History is off (--no-history)'}
      </div>
    );
  }
  const start = info.buckets[0]!.time;
  const width = info.buckets.length > 1 ? info.buckets[1]!.time - start : 1000;
  const end = start + width * info.buckets.length;
  const max = Math.max(1, ...info.buckets.map((b) => b.changes));
  const { showMoment, showDiff, backToLive } = useHistory.getState();

  const timeAt = (clientX: number): number => {
    const r = track.current!.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - r.left) / Math.max(1, r.width)));
    return Math.round(start + f * (end - start));
  };
  const pct = (t: number): string => `${(((t - start) / (end - start)) * 100).toFixed(3)}%`;

  const onDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    const t = timeAt(e.clientX);
    setDrag({ from: t, to: t });
    if (!compare) void showMoment(t);
  };
  const onMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    const t = timeAt(e.clientX);
    setDrag({ ...drag, to: t });
    if (!compare) void showMoment(t);
  };
  const onUp = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    const t = timeAt(e.clientX);
    setDrag(null);
    if (compare && t !== drag.from) void showDiff(Math.min(drag.from, t), Math.max(drag.from, t));
    else if (!compare) void showMoment(t);
  };
  const onKey = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const now = view.kind === 'moment' ? view.at : end;
    if (e.key === 'ArrowLeft') void showMoment(Math.max(start, now - width));
    else if (e.key === 'ArrowRight') void showMoment(Math.min(end, now + width));
    else if (e.key === 'Escape') backToLive();
    else return;
    e.preventDefault();
  };

  const cursor = view.kind === 'moment' ? view.at : null;
  const range = drag && compare ? drag : view.kind === 'diff' ? view : null;
  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline-buttons">
        <button
          type="button"
          data-testid="back-to-live"
          className={view.kind === 'live' ? 'is-on' : ''}
          onClick={backToLive}
        >
          Live
        </button>
        <button
          type="button"
          data-testid="compare-toggle"
          aria-pressed={compare}
          title="Drag over the timeline to compare two moments"
          onClick={() => setCompare(!compare)}
        >
          Compare
        </button>
        <button
          type="button"
          data-testid="last-5-min"
          title="What changed in the last 5 minutes"
          onClick={() => {
            const now = Date.now();
            void showDiff(now - FIVE_MINUTES, now);
          }}
        >
          Last 5 min
        </button>
      </div>
      <span className="timeline-edge muted">{clock(start)}</span>
      <div
        ref={track}
        className={`timeline-track${compare ? ' is-compare' : ''}`}
        data-testid="timeline-track"
        data-start={start}
        data-end={end}
        role="slider"
        tabIndex={0}
        aria-label="Moment in history"
        aria-valuemin={start}
        aria-valuemax={end}
        aria-valuenow={cursor ?? end}
        aria-valuetext={cursor === null ? 'live' : clock(cursor)}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onKeyDown={onKey}
      >
        {info.buckets.map((b) => (
          <div key={b.time} className="timeline-bucket" title={`${clock(b.time)}: ${b.changes} changes`}>
            {b.changes > 0 && (
              <div className="timeline-bar" style={{ height: `${20 + (80 * b.changes) / max}%` }} />
            )}
            {b.starts > 0 && <div className="timeline-start" title="netns-explorer started" />}
          </div>
        ))}
        {range && (
          <div
            className="timeline-range"
            style={{
              left: pct(Math.min(range.from, range.to)),
              width: pct(start + Math.abs(range.to - range.from)),
            }}
          />
        )}
        {cursor !== null && (
          <div className="timeline-cursor" data-testid="timeline-cursor" style={{ left: pct(cursor) }} />
        )}
      </div>
      <span className="timeline-edge muted">{clock(end)}</span>
      {error && (
        <span className="timeline-error" data-testid="history-error" title={error}>
          ⚠ {error}
        </span>
      )}
    </div>
  );
}
