/**
 * What the user is looking at, apart from the model and the picture: the selection (side
 * panel), a request to centre the canvas on something, the search hit and the veth dialog.
 */
import { create } from 'zustand';

export type Selection = { kind: 'namespace' | 'interface'; id: string } | null;

export interface UiState {
  selection: Selection;
  /** A request to centre the canvas on an id; the nonce makes repeated requests distinct. */
  focus: { id: string; nonce: number } | null;
  /** The search hit (highlighted on the canvas until the next search). */
  hit: string | null;
  /** The two namespaces of the veth dialog, when it is open. */
  veth: { a: string; b: string } | null;
  /** Selects; with `focus` also centres on it and highlights it (search, links in the panel). */
  select(sel: Selection, focus?: boolean): void;
  setHit(id: string | null): void;
  openVeth(a: string, b: string): void;
  closeVeth(): void;
}

export const useUi = create<UiState>()((set, get) => {
  const focusOn = (id: string) => ({ id, nonce: (get().focus?.nonce ?? 0) + 1 });
  return {
    selection: null,
    focus: null,
    hit: null,
    veth: null,
    select(selection, focus = false) {
      if (focus && selection) set({ selection, hit: selection.id, focus: focusOn(selection.id) });
      else set({ selection });
    },
    setHit(hit) {
      set({ hit, ...(hit ? { focus: focusOn(hit) } : {}) });
    },
    openVeth(a, b) {
      set({ veth: { a, b } });
    },
    closeVeth() {
      set({ veth: null });
    },
  };
});
