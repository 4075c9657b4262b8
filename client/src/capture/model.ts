/**
 * Pure helpers of the capture panel: the bounded packet list, per-interface packet rates from
 * successive counters, and the text of the counters line.
 */
import type { CaptureCounters, PacketSummary } from '../../../common/capture.js';

/** Rows the list keeps (older ones scroll away; the pcapng has everything). */
export const MAX_ROWS = 500;

export function appendRows(
  rows: readonly PacketSummary[],
  more: readonly PacketSummary[],
  max = MAX_ROWS,
): PacketSummary[] {
  const all = rows.concat(more);
  return all.length > max ? all.slice(all.length - max) : all;
}

export interface RateSample {
  atMs: number;
  perInterface: Record<string, number>;
}

/**
 * Packets per second per interface, over the last second or so: the previous sample is kept
 * until a second has passed, so that bursts of messages 100 ms apart do not make the rate jump.
 */
export function nextRates(
  prev: RateSample | null,
  rates: Record<string, number>,
  counters: CaptureCounters,
  nowMs: number,
): { sample: RateSample; rates: Record<string, number> } {
  const sample = { atMs: nowMs, perInterface: { ...counters.perInterface } };
  if (!prev)
    return { sample, rates: Object.fromEntries(Object.keys(counters.perInterface).map((k) => [k, 0])) };
  const elapsed = nowMs - prev.atMs;
  if (elapsed < 1000) return { sample: prev, rates };
  const out: Record<string, number> = {};
  for (const [id, n] of Object.entries(counters.perInterface)) {
    out[id] = Math.max(0, ((n - (prev.perInterface[id] ?? 0)) * 1000) / elapsed);
  }
  return { sample, rates: out };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function countersLine(c: CaptureCounters): string {
  return `${c.packets} packets, ${formatBytes(c.bytes)}, ${c.drops} dropped, ${c.notShown} not shown`;
}

/** `12:03:04.123456` in local time (microseconds: packets of one ping are that close). */
export function formatTime(tsUs: number): string {
  const d = new Date(Math.floor(tsUs / 1000));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(tsUs % 1_000_000, 6)}`;
}
