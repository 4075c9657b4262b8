/**
 * Packet capture (issue 17): the REST body, what `GET /api/captures` lists, and the messages of
 * the `/api/captures/<id>/live` WebSocket. Shared by the server and the page.
 */
import { z } from 'zod';

/** Limits a request may not exceed (and what it gets when it names none). */
export const CAPTURE_LIMITS = {
  defaultSeconds: 300,
  maxSeconds: 3600,
  /** 100 MB: the pcapng is held in memory until the capture is deleted. */
  defaultBytes: 100_000_000,
  maxBytes: 100_000_000,
  maxInterfaces: 8,
  maxRunning: 4,
  /** Summaries a live client is sent per second at most (the rest are counted as not shown). */
  summariesPerSecond: 50,
  maxFilterLength: 1024,
} as const;

const interfaceId = z
  .string()
  .regex(/^if-[0-9]{1,20}-[0-9]{1,10}$/, 'an interface id (if-<inode>-<ifindex>)');

export const CaptureRequestSchema = z
  .object({
    interfaces: z
      .array(interfaceId)
      .min(1, 'at least one interface')
      .max(CAPTURE_LIMITS.maxInterfaces, `at most ${CAPTURE_LIMITS.maxInterfaces} interfaces`)
      .refine((a) => new Set(a).size === a.length, 'each interface once'),
    // A BPF expression; control characters never belong in one and would only confuse the logs.
    filter: z
      .string()
      .max(CAPTURE_LIMITS.maxFilterLength)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\x00-\x1f\x7f]*$/, 'no control characters')
      .nullable()
      .default(null),
    maxSeconds: z.number().int().min(1).max(CAPTURE_LIMITS.maxSeconds).default(CAPTURE_LIMITS.defaultSeconds),
    maxBytes: z.number().int().min(4096).max(CAPTURE_LIMITS.maxBytes).default(CAPTURE_LIMITS.defaultBytes),
  })
  .strict();

export type CaptureRequest = z.infer<typeof CaptureRequestSchema>;

export interface CaptureInterface {
  /** Interface id from the topology. */
  id: string;
  namespace: string;
  name: string;
  /** `namespace name/interface name`, as shown on the page and in the pcapng. */
  label: string;
}

export interface CaptureCounters {
  /** Packets and bytes (on the wire) received from tcpdump so far. */
  packets: number;
  bytes: number;
  /** Dropped by the kernel before tcpdump saw them (tcpdump's own statistics). */
  drops: number;
  /** Summaries a live client was not sent (over the rate, or while it was slow). */
  notShown: number;
  /** Size of the pcapng so far. */
  fileBytes: number;
  /** Per interface id: packets seen so far (the canvas shows the rate from this). */
  perInterface: Record<string, number>;
}

export interface CaptureInfo {
  id: string;
  interfaces: CaptureInterface[];
  filter: string | null;
  maxSeconds: number;
  maxBytes: number;
  /** ISO times. */
  startedAt: string;
  endedAt: string | null;
  running: boolean;
  /** Why it ended (`stopped`, `time limit reached`, `interface x/y went away: ...`). */
  endReason: string | null;
  counters: CaptureCounters;
}

export interface PacketSummary {
  /** Position in the capture (0, 1, ...): gaps show what was not sent. */
  n: number;
  /** Microseconds since the epoch. */
  tsUs: number;
  /** Interface id (see CaptureInfo.interfaces for its label). */
  iface: string;
  src: string;
  dst: string;
  protocol: string;
  length: number;
  summary: string;
}

export type CaptureServerMessage =
  | { type: 'hello'; capture: CaptureInfo }
  | { type: 'packets'; packets: PacketSummary[]; counters: CaptureCounters }
  | { type: 'counters'; counters: CaptureCounters }
  | { type: 'ended'; capture: CaptureInfo };

export function emptyCounters(): CaptureCounters {
  return { packets: 0, bytes: 0, drops: 0, notShown: 0, fileBytes: 0, perInterface: {} };
}
