/**
 * The page's composition: the one place that joins the live model, the picture and the UI
 * state, so none of them imports another's store. Data flows one way:
 * socket -> live model -> picture (and the pending veth edges); the search hit -> picture marks.
 */
import type { Topology } from '../../common/model.js';
import { groupView } from './groups/groupView.js';
import { useGroups } from './groups/groupStore.js';
import { useHistory } from './history/historyStore.js';
import { picture } from './picture/picture.js';
import { liveModel } from './sync/live.js';
import { startLive } from './sync/socket.js';
import { useInteraction } from './ui/interaction.js';
import { useUi } from './ui/uiStore.js';

/** What the picture draws of a topology: the picked group (compose project, pod, ...) or all, by group. */
function shown(t: Topology): Topology {
  return groupView(t, useGroups.getState().selected);
}

/** Wires the stores together and opens the live stream; returns a function that stops both. */
export function startPage(): () => void {
  const offLive = liveModel.store.subscribe((s, prev) => {
    if (s.live === prev.live || !s.live) return;
    // While the timeline shows the past, the live model keeps up but the picture stays put.
    if (!useHistory.getState().past) picture.showTopology(shown(s.live.topology), s.changed);
    useInteraction.getState().settlePendingVeths();
  });
  const offHit = useUi.subscribe((s, prev) => {
    if (s.hit !== prev.hit) picture.setHit(s.hit);
  });
  const offHistory = useHistory.subscribe((s, prev) => {
    if (s.past === prev.past) return;
    const live = liveModel.store.getState().live;
    picture.setDiff(s.past?.marks ?? null);
    if (s.past) picture.showTopology(shown(s.past.topology));
    else if (live) picture.showTopology(shown(live.topology));
  });
  // Picking a group redraws the current moment (live or past) filtered to it.
  const offGroup = useGroups.subscribe((s, prev) => {
    if (s.selected === prev.selected) return;
    const t = useHistory.getState().past?.topology ?? liveModel.store.getState().live?.topology;
    if (t) picture.showTopology(shown(t));
  });
  const stopLive = startLive(liveModel);
  return () => {
    offGroup();
    offHistory();
    stopLive();
    offLive();
    offHit();
  };
}
