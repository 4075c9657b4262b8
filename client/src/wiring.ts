/**
 * The page's composition: the one place that joins the live model, the picture and the UI
 * state, so none of them imports another's store. Data flows one way:
 * socket -> live model -> picture (and the pending veth edges); the search hit -> picture marks.
 */
import { picture } from './picture/picture.js';
import { liveModel } from './sync/live.js';
import { startLive } from './sync/socket.js';
import { useInteraction } from './ui/interaction.js';
import { useUi } from './ui/uiStore.js';

/** Wires the stores together and opens the live stream; returns a function that stops both. */
export function startPage(): () => void {
  const offLive = liveModel.store.subscribe((s, prev) => {
    if (s.live === prev.live || !s.live) return;
    picture.showTopology(s.live.topology, s.changed);
    useInteraction.getState().settlePendingVeths();
  });
  const offHit = useUi.subscribe((s, prev) => {
    if (s.hit !== prev.hit) picture.setHit(s.hit);
  });
  const stopLive = startLive(liveModel);
  return () => {
    stopLive();
    offLive();
    offHit();
  };
}
