/** Which group the page is filtered to (null: all), kept in the URL hash so a link shows the same. */
import { create } from 'zustand';

export interface GroupState {
  selected: string | null;
  select(group: string | null): void;
}

const HASH_KEY = 'group';

function fromHash(): string | null {
  if (typeof window === 'undefined') return null;
  return new URLSearchParams(window.location.hash.slice(1)).get(HASH_KEY);
}

export const useGroups = create<GroupState>()((set) => ({
  selected: fromHash(),
  select(selected) {
    set({ selected });
    if (typeof window === 'undefined') return;
    const params = new URLSearchParams(window.location.hash.slice(1));
    if (selected === null) params.delete(HASH_KEY);
    else params.set(HASH_KEY, selected);
    const hash = params.toString();
    window.history.replaceState(
      null,
      '',
      hash ? `#${hash}` : window.location.pathname + window.location.search,
    );
  },
}));
