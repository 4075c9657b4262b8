/** Runs one action at a time per component and keeps its pending/error/done state for display. */
import { useCallback, useState } from 'react';

export interface ActionState {
  pending: string | null;
  error: string | null;
  done: string | null;
  run(label: string, fn: () => Promise<unknown>): Promise<boolean>;
}

export function useAction(): ActionState {
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = useCallback(async (label: string, fn: () => Promise<unknown>) => {
    setPending(label);
    setError(null);
    setDone(null);
    try {
      await fn();
      setDone(label);
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      setPending(null);
    }
  }, []);
  return { pending, error, done, run };
}
