/**
 * The history API (issue 16): what `GET /api/topology?at=`, `GET /api/changes` and
 * `GET /api/history` return, and the parsing of their query parameters (shared by the server's
 * routes and the page).
 */
import { z } from 'zod';
import type { Topology } from './model.js';
import type { DeltaOp } from './protocol.js';

/** A moment in history: a point in time or a history sequence number. */
export type Moment = { time: number } | { seq: number };

/** What a history record was: a kernel change, a server start, or a reset of continuity. */
export type ChangeKind = 'change' | 'start' | 'reset';

export interface ChangeEntry {
  seq: number;
  /** ISO 8601 UTC. */
  time: string;
  kind: ChangeKind;
  ops: DeltaOp[];
  /** One human-readable line: "veth1 in netshoot-a went down". */
  line: string;
}

export interface ChangesResponse {
  from: string;
  to: string;
  changes: ChangeEntry[];
  /** More changes happened in the range than the response holds (the first ones are kept). */
  truncated: boolean;
}

export interface TopologyAtResponse extends Topology {
  /** The moment asked for and the last record at or before it. */
  at: string;
  seq: number;
  recordedAt: string;
}

export interface HistoryBucket {
  /** Start of the bucket (ms since the epoch). */
  time: number;
  changes: number;
  starts: number;
}

export interface HistoryInfo {
  enabled: boolean;
  /** Null when nothing is recorded (yet, or history is off). */
  first: { seq: number; time: string } | null;
  last: { seq: number; time: string } | null;
  buckets: HistoryBucket[];
  /** Set by `netns-explorer view A.json B.json`: the two moments to compare when the page opens. */
  compare: { from: string; to: string } | null;
  /** The machine's hostname (snapshot files carry it). */
  host: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses `at`, `from`, `to`: an ISO time with zone or a sequence number; an error names the field. */
export function parseMoment(
  field: string,
  value: unknown,
): { ok: true; moment: Moment } | { ok: false; error: string } {
  const expected = `${field}: expected an ISO time such as 2026-12-04T03:12:00Z or a history sequence number`;
  if (typeof value !== 'string' || value.length === 0 || value.length > 40)
    return { ok: false, error: expected };
  if (/^\d{1,15}$/.test(value)) return { ok: true, moment: { seq: Number(value) } };
  if (!ISO.test(value)) return { ok: false, error: expected };
  const time = Date.parse(value);
  if (!Number.isFinite(time)) return { ok: false, error: `${field}: ${value} is not a valid time` };
  return { ok: true, moment: { time } };
}

export const historyInfoQuerySchema = z.strictObject({
  from: z.string().optional(),
  to: z.string().optional(),
  buckets: z
    .string()
    .regex(/^\d{1,4}$/, 'buckets: expected a whole number 1-2000')
    .optional(),
});
