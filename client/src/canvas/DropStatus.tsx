/** The outcome of dropping an interface onto a bridge, over the bottom of the canvas. */
import { Panel } from '@xyflow/react';
import { useInteraction } from '../ui/interaction.js';

export function DropStatus() {
  const status = useInteraction((s) => s.dropStatus);
  if (!status) return null;
  return (
    <Panel position="bottom-center">
      <div
        className={`drop-status drop-${status.kind}`}
        data-testid="drop-status"
        data-kind={status.kind}
        role={status.kind === 'error' ? 'alert' : 'status'}
      >
        <span>{status.text}</span>
        {status.kind !== 'pending' && (
          <button
            type="button"
            aria-label="Dismiss"
            onClick={() => useInteraction.getState().setDropStatus(null)}
          >
            ×
          </button>
        )}
      </div>
    </Panel>
  );
}
