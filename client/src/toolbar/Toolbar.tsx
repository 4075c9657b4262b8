/** Top bar: title, connection status, search, filters, loopback toggle, layout and export. */
import type { NamespaceKind } from '../../../common/model.js';
import { picture, usePicture } from '../picture/picture.js';
import { liveModel, useLive } from '../sync/live.js';
import type { ConnState } from '../sync/liveModel.js';
import { exportImage, exportModel } from './exporters.js';
import { SearchBox } from './SearchBox.js';
import { GroupFilter } from '../groups/GroupFilter.js';

const KINDS: NamespaceKind[] = ['host', 'container', 'process', 'named'];
const CONN_TEXT: Record<ConnState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  stale: 'stale',
};

function Status() {
  const conn = useLive((s) => s.conn);
  const serverErrors = useLive((s) => s.errors);
  const layoutErrors = usePicture((s) => s.errors);
  const errors = [...serverErrors, ...layoutErrors];
  const counts = useLive((s) =>
    s.live ? `${s.live.topology.namespaces.length} ns · ${s.live.topology.interfaces.length} if` : '',
  );
  return (
    <div className="status">
      <span className={`conn conn-${conn}`} data-testid="connection-status" data-state={conn}>
        <span className="conn-dot" />
        {CONN_TEXT[conn]}
      </span>
      <span className="muted">{counts}</span>
      {errors.length > 0 && (
        <span className="status-errors" data-testid="status-errors" title={errors.join('\n')}>
          ⚠ {errors.length}
        </span>
      )}
    </div>
  );
}

function Filters() {
  const view = usePicture((s) => s.view);
  const foldPorts = usePicture((s) => s.foldPorts);
  const { toggleKind, setShowLoopback } = picture;
  return (
    <div className="filters" role="group" aria-label="Filters">
      {KINDS.map((k) => (
        <label key={k} className="chip">
          <input
            type="checkbox"
            data-testid={`filter-${k}`}
            checked={!view.hiddenKinds.has(k)}
            onChange={() => toggleKind(k)}
          />
          {k}
        </label>
      ))}
      <label className="chip">
        <input
          type="checkbox"
          data-testid="toggle-loopback"
          checked={view.showLoopback}
          onChange={(e) => setShowLoopback(e.target.checked)}
        />
        loopback
      </label>
      <label className="chip" title="Draw each port of a busy bridge as one labelled edge to the bridge">
        <input
          type="checkbox"
          data-testid="toggle-fold"
          checked={foldPorts}
          onChange={(e) => picture.setFoldPorts(e.target.checked)}
        />
        fold ports
      </label>
    </div>
  );
}

function Exports() {
  const report = (e: unknown) => window.alert(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
  return (
    <div className="buttons">
      <button
        type="button"
        data-testid="relayout"
        title="Lay everything out again (forgets dragged positions)"
        onClick={() => picture.relayout()}
      >
        Re-layout
      </button>
      <button type="button" data-testid="export-png" onClick={() => exportImage('png').catch(report)}>
        PNG
      </button>
      <button type="button" data-testid="export-svg" onClick={() => exportImage('svg').catch(report)}>
        SVG
      </button>
      <button
        type="button"
        data-testid="export-json"
        onClick={() => {
          const t = liveModel.store.getState().live?.topology;
          if (t) exportModel(t);
        }}
      >
        JSON
      </button>
    </div>
  );
}

export function Toolbar() {
  return (
    <header className="toolbar">
      <div className="brand">
        <strong>netns-explorer</strong>
      </div>
      <Status />
      <SearchBox />
      <Filters />
      <GroupFilter />
      <Exports />
    </header>
  );
}
