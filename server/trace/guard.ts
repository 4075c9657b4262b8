/**
 * The firewall at one hook of one namespace, as a hop: null when it lets the packet pass, a
 * failing `drop` hop naming the rule or policy when it drops it, an `unknown` one when the rules
 * cannot be decided statically.
 */
import type { Interface } from '../../common/model.js';
import type { TraceHop } from '../../common/trace.js';
import type { TraceContext } from './context.js';
import type { Hook, PacketView } from './nft.js';
import { evaluateNft } from './nft.js';

/** Filter chains that iptables-save prints, with a policy other than ACCEPT or any rule. */
function iptablesDoubt(text: string, hook: Hook): string | null {
  const chain = hook.toUpperCase();
  const lines = text.split('\n');
  const policy = lines.find((l) => l.startsWith(`:${chain} `));
  const rules = lines.filter((l) => l.startsWith(`-A ${chain} `));
  if (rules.length === 0 && (!policy || policy.includes(' ACCEPT '))) return null;
  return `iptables ${chain}: ${policy?.split(' ')[1] ?? 'ACCEPT'} policy, ${rules.length} rule(s) not evaluated (only nftables rules are)`;
}

export async function firewallHop(
  ctx: TraceContext,
  ns: string,
  hook: Hook,
  pkt: PacketView,
  inIf: Interface | null,
  outIf: Interface | null,
): Promise<TraceHop | null> {
  const fw = await ctx.firewall(ns);
  const base = { namespace: ns, in: inIf?.id ?? null, out: outIf?.id ?? null, action: 'drop' as const };
  if (fw.tool === 'none') return null;
  if (fw.tool === 'error')
    return {
      ...base,
      detail: fw.error,
      command: 'nft -j list ruleset',
      ok: false,
      reason: `the firewall could not be read: ${fw.error}`,
      unknown: true,
    };
  if (fw.tool === 'iptables') {
    const doubt = iptablesDoubt(fw.text, hook);
    if (!doubt) return null;
    return {
      ...base,
      detail: doubt,
      command: 'iptables-save',
      ok: false,
      reason: `cannot tell statically: ${doubt}`,
      unknown: true,
    };
  }
  const v = evaluateNft(fw.json, hook, pkt);
  if (v.verdict === 'accept') return null;
  const detail = v.nat.length ? `${v.detail} (NAT: ${v.nat.join(', ')})` : v.detail;
  if (v.verdict === 'drop')
    return {
      ...base,
      detail,
      command: 'nft -j list ruleset',
      ok: false,
      reason: `nftables ${hook} chain drops it: ${v.detail}`,
    };
  return {
    ...base,
    detail,
    command: 'nft -j list ruleset',
    ok: false,
    reason: `cannot tell statically whether nftables ${hook} lets it through: ${v.detail}`,
    unknown: true,
  };
}
