/** The history API as the page uses it (same origin; the session cookie rides along). */
import type { ChangesResponse, HistoryInfo, TopologyAtResponse } from '../../../common/history.js';

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `${path}: HTTP ${res.status}`);
  }
  return body as T;
}

export function fetchInfo(buckets: number): Promise<HistoryInfo> {
  return getJson<HistoryInfo>(`/api/history?buckets=${buckets}`);
}

export function fetchTopologyAt(time: number): Promise<TopologyAtResponse> {
  return getJson<TopologyAtResponse>(`/api/topology?at=${encodeURIComponent(new Date(time).toISOString())}`);
}

export function fetchChanges(from: number, to: number): Promise<ChangesResponse> {
  const q = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
  return getJson<ChangesResponse>(`/api/changes?${q}`);
}
