/**
 * `POST /api/trace`: why can (or can't) a packet from one namespace reach an address. Request
 * schema (zod, shared so the page validates the same way) and the response shape.
 */
import { z } from 'zod';
import { isIfId, isNsId } from './ids.js';

export const TRACE_PROTOCOLS = ['icmp', 'tcp', 'udp'] as const;
export type TraceProtocol = (typeof TRACE_PROTOCOLS)[number];

export const traceRequestSchema = z
  .object({
    from: z
      .string({ error: 'must be a string' })
      .refine(isNsId, { message: 'namespace id must look like ns-<inode>' }),
    to: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(64, 'address is too long'),
    protocol: z.enum(TRACE_PROTOCOLS, { error: 'must be one of icmp, tcp, udp' }).default('icmp'),
    port: z
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(65535, 'must be at most 65535')
      .optional(),
    probe: z.boolean({ error: 'must be true or false' }).default(false),
    /** Firewall mark the packet leaves with (`ip route get ... mark N`, so fwmark rules apply). */
    mark: z
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(0, 'must be at least 0')
      .max(0xffffffff, 'must be at most 4294967295')
      .optional(),
    /**
     * The packet arrives from outside `from` (a leg the hub continues from another node): on this
     * interface of `from`, from this source address, so the kernel decides it as a forwarded
     * packet (`route get ... from SOURCE iif IF`: policy rules on iif, rp_filter, the forward chain).
     */
    enter: z
      .object({
        interface: z
          .string({ error: 'must be a string' })
          .refine(isIfId, { message: 'interface id must look like if-<inode>-<ifindex>' }),
        source: z
          .string({ error: 'must be a string' })
          .min(1, 'must not be empty')
          .max(64, 'address is too long'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.protocol !== 'icmp' && r.port === undefined)
      ctx.addIssue({ code: 'custom', path: ['port'], message: `is required for ${r.protocol}` });
    if (r.protocol === 'icmp' && r.port !== undefined)
      ctx.addIssue({ code: 'custom', path: ['port'], message: 'is only for tcp and udp' });
    // The probe's tools (busybox ping, a Node socket) cannot mark what they send.
    // A probe is sent from the namespace itself: it cannot arrive on one of its interfaces.
    if (r.probe && r.enter)
      ctx.addIssue({
        code: 'custom',
        path: ['enter'],
        message: 'cannot be probed: the probe is sent from the namespace',
      });
    // The kernel scrubs the mark of a packet that changes namespace: an arriving one has none.
    if (r.enter && r.mark !== undefined)
      ctx.addIssue({ code: 'custom', path: ['mark'], message: 'an arriving packet (enter) carries no mark' });
    if (r.probe && r.mark)
      ctx.addIssue({
        code: 'custom',
        path: ['mark'],
        message: 'cannot be probed: the probe sends unmarked packets',
      });
  });

export type TraceRequest = z.infer<typeof traceRequestSchema>;

export type HopAction = 'route' | 'bridge' | 'veth' | 'deliver' | 'drop';

export interface TraceHop {
  namespace: string;
  /** Interface id the packet came in on, null where it starts in this namespace. */
  in: string | null;
  /** Interface id it leaves by, null where it stops here. */
  out: string | null;
  action: HopAction;
  /** What decided it: the route, FDB entry or rule as the tool prints it. */
  detail: string;
  /** The command whose answer decided it. */
  command: string;
  ok: boolean;
  /** Why it fails (or why it cannot be decided), null when it passes. */
  reason: string | null;
  /** True when the hop cannot be decided statically (ok is then false). */
  unknown?: boolean;
}

export type TraceVerdict = 'reachable' | 'unreachable' | 'unknown';

export interface TracePath {
  hops: TraceHop[];
  /** Index of the first hop that is not ok, null when every hop passes. */
  failedAt: number | null;
}

export interface ProbeResult {
  ok: boolean;
  rttMs: number | null;
  error: string | null;
  /** The command that sent it. */
  command: string;
}

export interface TraceResponse extends TracePath {
  verdict: TraceVerdict;
  /** The reply's way back, from the delivering namespace; null when the packet never arrived. */
  returnPath: TracePath | null;
  probe: ProbeResult | null;
  /** The probe's outcome disagrees with the verdict (shown, never hidden). */
  disagreement: string | null;
  /** The source address the kernel chose. */
  source: string | null;
  /** Namespaces the trace read (the page re-runs it when one of them changes). */
  namespaces: string[];
}
