/**
 * A trace asked of the hub that leaves its node goes on at the next node's agent (traceJoin.ts
 * finds where), leg after leg, at most MAX_NODES nodes and never twice the same one; then the
 * reply's way back is traced the same way, from the namespace that took the packet to the source
 * address. Each leg is an ordinary `POST /api/trace` on that agent, from the namespace the
 * packet enters, with `enter` (the interface it arrives on and the source address it carries),
 * so the next node decides it as a forwarded packet: policy rules on `iif`, rp_filter, the
 * forward chain. The reply leg is traced as ICMP (a new echo, not an established flow).
 */
import type { CrossLink } from '../../common/cluster.js';
import { parseQualifiedId } from '../../common/ids.js';
import type { Topology } from '../../common/model.js';
import type { TraceHop, TraceResponse } from '../../common/trace.js';
import type { AgentAnswer } from './agentClient.js';
import type { Json } from './idTranslate.js';
import { delivered, joinedVerdict, joinLeg, nextNode, pathOf } from './traceJoin.js';

const MAX_NODES = 4;

export interface TraceAcrossDeps {
  /** `POST /api/trace` on `host`'s agent; the answer's ids qualified. */
  ask(host: string, body: Json): Promise<AgentAnswer>;
  /** The hub's merged model and its node-to-node edges, as they are now. */
  state(): { topology: Topology; links: readonly CrossLink[] };
}

interface Leg {
  hops: TraceHop[];
  namespaces: Set<string>;
  crossed: boolean;
}

function isTrace(body: Json): body is Json & { hops: Json[] } {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && Array.isArray(body.hops);
}

/** Follows `hops` (which start on `host`) across nodes while they leave toward a known one. */
async function follow(
  deps: TraceAcrossDeps,
  host: string,
  hops: TraceHop[],
  to: string,
  request: { [key: string]: Json },
  source: string | null,
): Promise<Leg> {
  const leg: Leg = { hops, namespaces: new Set(), crossed: false };
  const visited = new Set([host]);
  for (let n = 1; n < MAX_NODES; n++) {
    const { topology, links } = deps.state();
    const c = nextNode(leg.hops, to, topology, links);
    if (c === null || visited.has(c.host)) break;
    visited.add(c.host);
    const local = parseQualifiedId(c.namespace)!.local;
    // Without a known source (the first node could not say) the leg is asked as if sent from there.
    const body: { [key: string]: Json } = { ...request, from: local, to, probe: false };
    if (source !== null) body.enter = { interface: parseQualifiedId(c.enter)!.local, source };
    const answer = await deps.ask(c.host, body);
    if (answer.status !== 200 || !isTrace(answer.body)) break;
    const next = answer.body as unknown as TraceResponse;
    leg.hops = joinLeg(leg.hops, next.hops, c);
    for (const ns of next.namespaces) leg.namespaces.add(ns);
    leg.crossed = true;
  }
  return leg;
}

/** The node's own answer, continued across nodes when it leaves its node; as is otherwise. */
export async function traceAcross(
  deps: TraceAcrossDeps,
  host: string,
  request: Json,
  answer: Json,
): Promise<Json> {
  if (!isTrace(answer) || request === null || typeof request !== 'object' || Array.isArray(request))
    return answer;
  const first = answer as unknown as TraceResponse;
  const to = typeof request.to === 'string' ? request.to : '';
  // The mark does not survive a change of namespace, so the next nodes are asked without it.
  const { mark: _mark, ...rest } = request;
  const there = await follow(deps, host, first.hops, to, rest, first.source);
  if (!there.crossed) return answer;
  const namespaces = new Set([...first.namespaces, ...there.namespaces]);
  let back: TraceHop[] | null = null;
  const end = there.hops.at(-1)!;
  const endHost = parseQualifiedId(end.namespace)?.host;
  if (delivered(there.hops) && first.source !== null && endHost !== undefined) {
    const from = parseQualifiedId(end.namespace)!.local;
    const reply = await deps.ask(endHost, { from, to: first.source, protocol: 'icmp' });
    if (reply.status === 200 && isTrace(reply.body)) {
      const r = reply.body as unknown as TraceResponse;
      const leg = await follow(deps, endHost, r.hops, first.source, { protocol: 'icmp' }, r.source);
      back = leg.hops;
      for (const ns of [...r.namespaces, ...leg.namespaces]) namespaces.add(ns);
    }
  }
  const verdict = joinedVerdict(there.hops, back);
  let disagreement = first.disagreement;
  if (first.probe && verdict !== 'unknown' && first.probe.ok !== (verdict === 'reachable'))
    disagreement = `the trace predicts ${verdict}, but the probe ${first.probe.ok ? 'got through' : `failed (${first.probe.error ?? 'no answer'})`}`;
  const joined: TraceResponse = {
    ...first,
    verdict,
    ...pathOf(there.hops),
    returnPath: back === null ? null : pathOf(back),
    disagreement,
    namespaces: [...namespaces].sort(),
  };
  return joined as unknown as Json;
}
