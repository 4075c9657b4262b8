/** Page shell: toolbar on top, the canvas, the side panel, and the veth dialog when asked for. */
import { ReactFlowProvider } from '@xyflow/react';
import { CreateVethDialog } from './actions/CreateVethDialog.js';
import { KeepChange } from './actions/KeepChange.js';
import { CapturePanel } from './capture/CapturePanel.js';
import { ClusterBar } from './cluster/ClusterBar.js';
import { HistoryBanner } from './history/HistoryBanner.js';
import { Timeline } from './history/Timeline.js';
import { Canvas } from './canvas/Canvas.js';
import { SidePanel } from './panel/SidePanel.js';
import { TablePane } from './ui/TablePane.js';
import { useLive } from './sync/live.js';
import { progressLine } from './sync/sequence.js';
import { useUi } from './ui/uiStore.js';
import { Toolbar } from './toolbar/Toolbar.js';
import { TraceOverlay } from './trace/TraceOverlay.js';

function Placeholder() {
  const hasData = useLive((s) => s.live !== null);
  const conn = useLive((s) => s.conn);
  const progress = useLive((s) => s.progress);
  if (hasData) return null;
  if (progress && conn !== 'stale')
    return (
      <div className="placeholder" data-testid="placeholder" role="status">
        {progressLine(progress)}
      </div>
    );
  return (
    <div className="placeholder" data-testid="placeholder">
      {conn === 'connecting' ? 'Connecting to the explorer…' : 'Waiting for the server…'}
    </div>
  );
}

function VethDialog() {
  const veth = useUi((s) => s.veth);
  if (!veth) return null;
  const close = () => useUi.getState().closeVeth();
  return (
    <div
      className="modal-backdrop"
      data-testid="veth-dialog"
      onMouseDown={(e) => {
        // A click beside the dialog closes it, but not while its request runs: its outcome
        // (an error to read) would be lost.
        const busy = e.currentTarget.querySelector('[aria-busy="true"]') !== null;
        if (e.target === e.currentTarget && !busy) close();
      }}
    >
      {/* The dialog role and label belong to CreateVethDialog itself: one dialog, not two nested. */}
      <div className="modal">
        <CreateVethDialog a={veth.a} b={veth.b} onClose={close} />
      </div>
    </div>
  );
}

export function App() {
  return (
    <ReactFlowProvider>
      <div className="app">
        <Toolbar />
        <ClusterBar />
        <main className="main">
          <div className="canvas" data-testid="canvas">
            <Canvas />
            <Placeholder />
            <HistoryBanner />
            <TablePane />
          </div>
          <SidePanel />
        </main>
        <Timeline />
        <VethDialog />
        <KeepChange />
        <TraceOverlay />
        <CapturePanel />
      </div>
    </ReactFlowProvider>
  );
}
