/** The toolbar's group filter: every compose project, Kubernetes namespace and podman pod on the host. */
import { useMemo } from 'react';
import { topologyGroups } from '../model/groups.js';
import { useLive } from '../sync/live.js';
import { useGroups } from './groupStore.js';
import './groups.css';

export function GroupFilter() {
  const topology = useLive((s) => s.live?.topology);
  const selected = useGroups((s) => s.selected);
  const select = useGroups((s) => s.select);
  const groups = useMemo(() => (topology ? topologyGroups(topology) : new Map<string, number>()), [topology]);
  // A picked group that has gone (its last container stopped) stays listed, so the choice is visible.
  const listed = selected !== null && !groups.has(selected) ? new Map([...groups, [selected, 0]]) : groups;
  if (listed.size === 0) return null;
  return (
    <label className="chip group-filter">
      group
      <select
        data-testid="group-filter"
        aria-label="Show one group"
        value={selected ?? ''}
        onChange={(e) => select(e.target.value === '' ? null : e.target.value)}
      >
        <option value="">all</option>
        {[...listed].map(([g, n]) => (
          <option key={g} value={g}>
            {g} ({n})
          </option>
        ))}
      </select>
    </label>
  );
}
