/**
 * "Keep this change?" with a countdown, for each host change the server applied under a
 * checkpoint. Keep confirms it; Undo (or letting the time run out, or losing the connection)
 * has the server roll it back.
 */
import { useEffect, useState } from 'react';
import { dropCheckpoint, liveConnectionHeaders, usePendingCheckpoints } from './checkpoints.js';
import './keepChange.css';
import type { PendingCheckpoint } from './checkpoints.js';

async function settle(id: string, keep: boolean): Promise<string | null> {
  try {
    const res = await fetch(`/api/checkpoints/${encodeURIComponent(id)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...liveConnectionHeaders() },
      credentials: 'same-origin',
      body: JSON.stringify({ keep }),
    });
    if (res.ok) return null;
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    return body?.error?.message ?? `HTTP ${res.status}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function Prompt({ cp }: { cp: PendingCheckpoint }) {
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const left = Math.max(0, Math.ceil((cp.deadline - now) / 1000));
  useEffect(() => {
    if (left === 0) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [left]);
  const answer = async (keep: boolean) => {
    setBusy(true);
    const err = await settle(cp.id, keep);
    setBusy(false);
    if (err) setError(err);
    else dropCheckpoint(cp.id);
  };
  if (left === 0)
    // Our deadline is counted from the answer's arrival, so the server's has passed: it is rolling
    // the change back (the picture shows it once the kernel has it). Said until dismissed, so a
    // user who looked away learns why the change is gone.
    return (
      <div role="status" className="keep-change expired" data-testid="keep-change-expired">
        <strong>Not kept:</strong> {cp.what} was not confirmed in time and is being undone.
        <button type="button" onClick={() => dropCheckpoint(cp.id)}>
          Dismiss
        </button>
      </div>
    );
  return (
    <div role="alertdialog" aria-label="Keep this change?" className="keep-change" data-testid="keep-change">
      <strong>Keep this change?</strong> {cp.what}: undone in{' '}
      <span data-testid="keep-change-left">{left}</span> s unless you keep it.
      <button type="button" disabled={busy} onClick={() => void answer(true)}>
        Keep
      </button>
      <button type="button" disabled={busy} onClick={() => void answer(false)}>
        Undo
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}

export function KeepChange() {
  const pending = usePendingCheckpoints();
  if (pending.length === 0) return null;
  return (
    <div className="keep-changes">
      {pending.map((cp) => (
        <Prompt key={cp.id} cp={cp} />
      ))}
    </div>
  );
}
