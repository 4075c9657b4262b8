/**
 * The table view (issue 13): namespaces and interfaces as rows, sortable by any column and
 * filtered by text, linked to the canvas both ways (a row click selects and centres it there; a
 * selection on the canvas marks and scrolls to its row). The page offers it above
 * TABLE_OFFER_ABOVE namespaces, where the picture is a map more than a place to read.
 */
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useLive } from '../sync/live.js';
import { COLUMNS, filterRows, sortRows, tableRows } from './tableRows.js';
import type { Column } from './tableRows.js';
import { useUi } from './uiStore.js';
import './table.css';

export const TABLE_OFFER_ABOVE = 300;
/** Rows drawn at once; the filter narrows the rest down. */
const ROWS_SHOWN = 400;

export function TableToggle({ open, onToggle }: { open: boolean; onToggle(): void }) {
  const count = useLive((s) => s.live?.topology.namespaces.length ?? 0);
  const offer = count > TABLE_OFFER_ABOVE;
  return (
    <button
      type="button"
      className={`table-toggle${offer && !open ? ' offer' : ''}`}
      data-testid="table-toggle"
      aria-pressed={open}
      onClick={onToggle}
      title="Namespaces and interfaces as a sortable, filterable table"
    >
      {open ? 'Close table' : offer ? `Table view (${count} namespaces)` : 'Table'}
    </button>
  );
}

export function TableView() {
  const topology = useLive((s) => s.live?.topology);
  const selected = useUi((s) => s.selection?.id ?? null);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ by: Column; desc: boolean }>({ by: 'namespace', desc: false });
  const text = useDeferredValue(filter);
  const all = useMemo(() => (topology ? tableRows(topology) : []), [topology]);
  const rows = useMemo(() => sortRows(filterRows(all, text), sort.by, sort.desc), [all, text, sort]);
  const shown = rows.slice(0, ROWS_SHOWN);
  const chosen = selected ? rows.find((r) => r.id === selected) : undefined;
  if (chosen && !shown.includes(chosen)) shown.unshift(chosen);
  const body = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    if (!selected) return;
    body.current
      ?.querySelector(`tr[data-id="${CSS.escape(selected)}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  const sortBy = (by: Column) => setSort((s) => ({ by, desc: s.by === by ? !s.desc : false }));
  return (
    <section className="table-view" data-testid="table-view" aria-label="Namespaces and interfaces">
      <div className="table-bar">
        <input
          type="search"
          placeholder="Filter: name, address, container, bridge…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="table-filter"
        />
        <span className="muted" data-testid="table-count">
          {rows.length} of {all.length} rows{rows.length > ROWS_SHOWN ? `, first ${ROWS_SHOWN} shown` : ''}
        </span>
      </div>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c}
                  aria-sort={sort.by === c ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                  onClick={() => sortBy(c)}
                  data-testid={`table-sort-${c}`}
                >
                  {c}
                  {sort.by === c ? (sort.desc ? ' ▾' : ' ▴') : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody ref={body}>
            {shown.map((r) => (
              <tr
                key={r.id}
                data-id={r.id}
                data-testid="table-row"
                className={`row-${r.what}${r.id === selected ? ' is-selected' : ''}`}
                onClick={() => useUi.getState().select({ kind: r.what, id: r.id }, true)}
              >
                {COLUMNS.map((c) => (
                  <td key={c} title={r[c]}>
                    {r[c]}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
