/** Loads JSON from a same-origin URL when the panel opens (or the URL changes). */
import { useEffect, useState } from 'react';

export type FetchState<T> =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ok'; data: T };

async function errorMessage(r: Response): Promise<string> {
  try {
    const body = (await r.json()) as { error?: { message?: string } };
    return body.error?.message ?? `HTTP ${r.status}`;
  } catch {
    return `HTTP ${r.status}`;
  }
}

export function useFetchJson<T>(url: string, reloadKey = 0): FetchState<T> {
  const [state, setState] = useState<FetchState<T>>({ status: 'loading' });
  useEffect(() => {
    const ctl = new AbortController();
    setState({ status: 'loading' });
    fetch(url, { signal: ctl.signal, credentials: 'same-origin' })
      .then(async (r) => {
        if (!r.ok) throw new Error(await errorMessage(r));
        setState({ status: 'ok', data: (await r.json()) as T });
      })
      .catch((e: unknown) => {
        if (!ctl.signal.aborted)
          setState({ status: 'error', message: e instanceof Error ? e.message : String(e) });
      });
    return () => ctl.abort();
  }, [url, reloadKey]);
  return state;
}
