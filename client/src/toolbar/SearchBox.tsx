/** Finds a namespace, interface, MAC or IP; Enter or a click centres and highlights it. */
import { useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { search } from '../model/search.js';
import type { SearchHit } from '../model/search.js';
import { useLive } from '../sync/live.js';
import { useUi } from '../ui/uiStore.js';

function go(hit: SearchHit): void {
  useUi.getState().select({ kind: hit.kind, id: hit.id }, true);
}

export function SearchBox() {
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  // Closing on blur is delayed so a click on a result lands; typing again must cancel it.
  const closing = useRef<ReturnType<typeof setTimeout> | null>(null);
  const show = () => {
    if (closing.current) clearTimeout(closing.current);
    closing.current = null;
    setOpen(true);
  };
  const topology = useLive((s) => s.live?.topology);
  const hits = useMemo(() => (topology && q ? search(topology, q, 12) : []), [topology, q]);

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' && hits[0]) {
      go(hits[0]);
      setOpen(false);
    } else if (e.key === 'Escape') {
      setOpen(false);
      useUi.getState().setHit(null);
    }
  };

  return (
    <div className="search">
      <input
        type="search"
        placeholder="Search namespace, interface, MAC or IP"
        data-testid="search-input"
        aria-label="Search"
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          show();
        }}
        onFocus={show}
        onBlur={() => {
          closing.current = setTimeout(() => setOpen(false), 150);
        }}
        onKeyDown={onKey}
      />
      {open && q && (
        <ul className="search-results" data-testid="search-results">
          {hits.length === 0 && <li className="muted">no match</li>}
          {hits.map((h) => (
            <li key={h.id}>
              <button
                type="button"
                data-testid="search-result"
                data-id={h.id}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  go(h);
                  setOpen(false);
                }}
              >
                <span className="muted">{h.kind === 'namespace' ? 'ns' : 'if'}</span> {h.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
