/**
 * One trace: the way there (walk.ts), whether something listens on the port where it arrives,
 * the reply's way back, the verdict, and the probe when asked. Pure orchestration over a
 * TraceContext; the kernel is only read.
 */
import type { TraceHop, TracePath, TraceResponse, TraceRequest } from '../../common/trace.js';
import type { TraceContext } from './context.js';
import type { ParsedTarget } from './validate.js';
import { hop } from './hop.js';
import { walk } from './walk.js';
import { planTrace } from './plan.js';
import type { SocketRow } from '../../common/inspect.js';

const pathOf = (hops: TraceHop[]): TracePath => {
  const i = hops.findIndex((h) => !h.ok);
  return { hops, failedAt: i < 0 ? null : i };
};

/** Does a listening socket take `addr` port `port` (wildcards included)? */
export function listenerFor(
  rows: SocketRow[],
  protocol: 'tcp' | 'udp',
  addr: string,
  port: number,
): SocketRow | null {
  const v6 = addr.includes(':');
  const local = (r: SocketRow) => r.local.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  return (
    rows.find((r) => {
      if (r.proto !== protocol || r.port !== port) return false;
      if (protocol === 'tcp' && r.state !== 'LISTEN') return false;
      const l = local(r);
      if (l === '*' || l === '::') return true;
      if (l === '0.0.0.0') return !v6;
      return l === addr || l === `::ffff:${addr}`;
    }) ?? null
  );
}

export async function trace(
  ctx: TraceContext,
  req: TraceRequest,
  target: ParsedTarget,
): Promise<Omit<TraceResponse, 'probe' | 'disagreement'>> {
  const port = req.port ?? null;
  // Every namespace the path likely crosses is asked its questions now, all at once (plan.ts).
  const plan = planTrace(ctx.topology, ctx.idx, req.from, target.addr, target.family, req.mark ?? null);
  for (const p of plan.namespaces) {
    ctx.prefetch(p.namespace, p.queries);
    ctx.firewall(p.namespace).catch(() => undefined);
  }
  if (plan.deliveredTo && req.protocol !== 'icmp') ctx.listeners(plan.deliveredTo).catch(() => undefined);
  const there = await walk(ctx, {
    namespace: req.from,
    to: target.addr,
    from: target.enter?.source ?? null,
    inIf: target.enter
      ? (ctx.topology.interfaces.find((i) => i.id === target.enter!.interface) ?? null)
      : null,
    family: target.family,
    mark: req.mark ?? null,
    warmReturn: true,
    packet: {
      protocol: req.protocol,
      sport: null,
      dport: port,
      icmpType: req.protocol === 'icmp' ? 'echo-request' : null,
      ctState: 'new',
    },
  });
  const hops = there.hops;
  const done = (verdict: TraceResponse['verdict'], returnPath: TracePath | null) => ({
    verdict,
    ...pathOf(hops),
    returnPath,
    source: there.source,
    namespaces: [...ctx.touched].sort(),
  });
  if (!there.deliveredTo) return done(there.unknown ? 'unknown' : 'unreachable', null);

  if (req.protocol !== 'icmp' && port !== null) {
    const ns = there.deliveredTo;
    const rows = await ctx.listeners(ns);
    const l = listenerFor(rows, req.protocol, target.addr, port);
    const last = hops[hops.length - 1]!;
    const command = 'ss -Hltunp';
    if (!l) {
      const others = rows.filter((r) => r.proto === req.protocol).map((r) => `${r.local}:${r.port ?? '*'}`);
      hops[hops.length - 1] = {
        ...last,
        command: `${last.command}; ${command}`,
        ok: false,
        reason: `nothing listens on ${req.protocol} port ${port} in ${ctx.nsName(ns)} (${others.length ? `listening: ${others.join(', ')}` : `no ${req.protocol} listeners`}): ${req.protocol === 'tcp' ? 'the connection is refused' : 'ICMP port unreachable'}`,
      };
      return done('unreachable', null);
    }
    hops[hops.length - 1] = {
      ...last,
      detail: `${last.detail}; listening: ${l.proto} ${l.local}:${l.port ?? ''}${l.process ? ` (${l.process})` : ''}`,
      command: `${last.command}; ${command}`,
    };
  }

  // The reply: from the delivering namespace back to the source address, as an established flow.
  const back = await walk(ctx, {
    namespace: there.deliveredTo,
    to: there.source ?? '',
    from: target.addr,
    family: target.family,
    packet: {
      protocol: req.protocol,
      sport: port,
      dport: null,
      icmpType: req.protocol === 'icmp' ? 'echo-reply' : null,
      ctState: 'established',
    },
  });
  if (back.deliveredTo && back.deliveredTo !== req.from) {
    back.hops.push(
      hop(
        back.deliveredTo,
        null,
        null,
        'drop',
        '',
        '',
        false,
        `the reply is delivered to ${ctx.nsName(back.deliveredTo)}, not to ${ctx.nsName(req.from)} (the source address is local there too)`,
      ),
    );
  }
  const returnPath = pathOf(back.hops);
  if (returnPath.failedAt === null) return done('reachable', returnPath);
  return done(back.unknown ? 'unknown' : 'unreachable', returnPath);
}
