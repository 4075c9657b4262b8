/** Over the canvas while it shows history: which moment (or which two), and the way back to live. */
import { clock, useHistory } from './historyStore.js';
import { countMarks } from './diffView.js';
import type { DiffMark } from './diffView.js';

const LIST_MAX = 200;

export function HistoryBanner() {
  const view = useHistory((s) => s.view);
  const marks = useHistory((s) => s.past?.marks);
  if (view.kind === 'live') return null;
  const back = (
    <button
      type="button"
      data-testid="banner-back-to-live"
      onClick={() => useHistory.getState().backToLive()}
    >
      back to live
    </button>
  );
  if (view.kind === 'moment') {
    return (
      <div className="history-banner" data-testid="history-banner" role="status">
        <strong>{clock(view.at)}</strong> (read-only) - {back}
      </div>
    );
  }
  const n = countMarks(marks ?? new Map<string, DiffMark>());
  return (
    <div className="history-banner is-diff" data-testid="history-banner" role="status">
      <div>
        <strong>
          {clock(view.from)} → {clock(view.to)}
        </strong>{' '}
        <span className="diff-added-text">{n.added} added</span>,{' '}
        <span className="diff-removed-text">{n.removed} removed</span>,{' '}
        <span className="diff-changed-text">{n.changed} changed</span> - {back}
      </div>
      <ol className="change-list" data-testid="change-list">
        {view.changes.slice(-LIST_MAX).map((c) => (
          <li key={c.seq} data-testid="change-item" className={`change-${c.kind}`}>
            <span className="muted">{clock(Date.parse(c.time))}</span> {c.line}
          </li>
        ))}
        {view.changes.length === 0 && <li className="muted">no changes recorded in between</li>}
        {(view.truncated || view.changes.length > LIST_MAX) && (
          <li className="muted">(only some changes listed)</li>
        )}
      </ol>
    </div>
  );
}
