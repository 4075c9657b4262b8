/** The side panel: whatever is selected, or a short hint. */
import { useLive } from '../sync/live.js';
import { useUi } from '../ui/uiStore.js';
import { InterfacePanel } from './InterfacePanel.js';
import { NamespacePanel } from './NamespacePanel.js';

export function SidePanel() {
  const sel = useUi((s) => s.selection);
  const ns = useLive((s) =>
    sel?.kind === 'namespace' ? s.live?.topology.namespaces.find((n) => n.id === sel.id) : undefined,
  );
  const iface = useLive((s) =>
    sel?.kind === 'interface' ? s.live?.topology.interfaces.find((i) => i.id === sel.id) : undefined,
  );
  if (!sel) return null;
  return (
    <aside className="side-panel" data-testid="side-panel" data-selected={sel.id}>
      <button
        type="button"
        className="close"
        aria-label="Close panel"
        onClick={() => useUi.getState().select(null)}
      >
        ×
      </button>
      {ns && <NamespacePanel key={ns.id} ns={ns} />}
      {iface && <InterfacePanel key={iface.id} iface={iface} />}
      {!ns && !iface && <div className="muted">{sel.id} is gone (removed from the kernel).</div>}
    </aside>
  );
}
