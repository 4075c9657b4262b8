/** `POST /api/trace` from the page (same origin: the session cookie rides along). */
import type { TraceResponse } from '../../../common/trace.js';

export interface TraceInput {
  from: string;
  to: string;
  protocol: 'icmp' | 'tcp' | 'udp';
  port?: number;
  probe: boolean;
  /** Firewall mark (fwmark policy rules); absent: none. */
  mark?: number;
}

export class TraceError extends Error {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    super(message);
    this.name = 'TraceError';
  }
}

export async function postTrace(input: TraceInput): Promise<TraceResponse> {
  const res = await fetch('/api/trace', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(input),
  });
  const json: unknown = await res.json().catch(() => null);
  if (res.ok && json) return json as TraceResponse;
  const err =
    typeof json === 'object' && json !== null && typeof (json as { error?: unknown }).error === 'object'
      ? ((json as { error: { message?: unknown; field?: unknown } }).error ?? {})
      : {};
  throw new TraceError(
    typeof err.message === 'string' ? err.message : `trace failed with HTTP ${res.status}`,
    typeof err.field === 'string' ? err.field : null,
  );
}
