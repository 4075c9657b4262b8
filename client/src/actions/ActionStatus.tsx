import type { ActionState } from './useAction.js';

/** The pending / failure / success line under a group of action controls. */
export function ActionStatus({ state }: { state: ActionState }) {
  if (state.pending) return <p role="status">{state.pending}…</p>;
  if (state.error)
    return (
      <p role="alert" className="error">
        {state.error}
      </p>
    );
  if (state.done) return <p role="status">Done: {state.done}</p>;
  return null;
}
