/**
 * Why the kernel refused a route decision, in words: `ip route get` only says "No route to host"
 * or "Invalid argument"; the namespace's sysctls and links say whether forwarding is off, the
 * reverse-path filter dropped it, or the interface that carried the route is down.
 */
import ipaddr from 'ipaddr.js';
import type { Interface } from '../../common/model.js';
import type { TraceContext } from './context.js';
import { forwardingOn, rpFilterOf } from './context.js';
import type { LinkFacts } from './facts.js';

function contains(cidr: string, addr: string): boolean {
  try {
    const [net, len] = ipaddr.parseCIDR(cidr);
    const a = ipaddr.parse(addr);
    return a.kind() === net.kind() && a.match(net, len);
  } catch {
    return false;
  }
}

export async function explainRefusal(
  ctx: TraceContext,
  ns: string,
  iif: Interface | null,
  src: string | null,
  start: { to: string; family: 4 | 6 },
  error: string,
  links: LinkFacts[],
): Promise<string> {
  const sysctls = await ctx.sysctls(ns);
  if (iif && !forwardingOn(sysctls, iif.name, start.family) && /unreachable|No route/i.test(error))
    return `forwarding is off in ${ctx.nsName(ns)} (net.ipv4.conf.${iif.name}.forwarding=0, ip_forward=0): the kernel will not route a packet that came in on ${iif.name}`;
  if (iif && start.family === 4 && rpFilterOf(sysctls, iif.name) > 0 && /Invalid/i.test(error)) {
    const back = await ctx.read(ns, { to: src ?? start.to });
    const via = back.route.ok
      ? `the route back to ${src ?? '?'} is "${back.route.route.text}"`
      : `there is no route back to ${src ?? '?'}`;
    return `reverse-path filter (rp_filter=${rpFilterOf(sysctls, iif.name)} on ${iif.name}) drops it: ${via}, not via ${iif.name}`;
  }
  const down = links.filter((l) => !l.up && l.cidrs.some((c) => contains(c, start.to)));
  const hint = down.length
    ? `; ${down.map((l) => l.name).join(', ')} ${down.length > 1 ? 'are' : 'is'} down, and the route to ${start.to} over it went with it`
    : '';
  return `no route to ${start.to}: ${error}${hint}`;
}
