/**
 * The firewall at one hook of one namespace, as a hop: null when it lets the packet pass, a
 * failing `drop` hop naming the rule or policy when it drops it, an `unknown` one when the rules
 * cannot be decided statically. Every ruleset of the namespace is asked: nftables (the tables
 * iptables-nft manages in iptables' words when they hold xt matches, iptablesNft.ts; without `nft`,
 * iptables-nft's save output alone) and legacy iptables beside it. The kernel runs them all, so
 * each must accept; one certain drop decides, whatever the others could not tell.
 */
import type { Interface } from '../../common/model.js';
import type { TraceHop } from '../../common/trace.js';
import type { TraceContext } from './context.js';
import type { FirewallVerdict, Hook, PacketView } from './nft.js';
import { evaluateNft } from './nft.js';
import { evaluateIptables } from './iptables.js';
import { managedTables, withoutTables } from './iptablesNft.js';
import type { FirewallReads } from './reader.js';

interface Judgement {
  /** How the hop names the ruleset: `nftables`, `iptables-legacy`... */
  tool: string;
  command: string;
  verdict: FirewallVerdict;
  /** The rules could not be read at all. */
  unread?: true;
}

const unreadable = (error: string): FirewallVerdict => ({ verdict: 'unknown', detail: error, nat: [] });

/** What each ruleset of the namespace decides for the packet (pure). */
export function judgeFirewalls(fw: FirewallReads, hook: Hook, pkt: PacketView): Judgement[] {
  const out: Judgement[] = [];
  const v6 = pkt.family === 6;
  const { main, legacy } = fw;
  const iptablesNft = (text: string | null): Judgement => ({
    tool: 'iptables-nft',
    command: v6 ? 'ip6tables-nft-save' : 'iptables-nft-save',
    verdict:
      text === null ? unreadable('ip6tables-nft-save is not installed') : evaluateIptables(text, hook, pkt),
    ...(text === null ? { unread: true as const } : {}),
  });
  if (main.tool === 'nft' && main.iptables) {
    // The tables iptables-nft manages are judged in its words, the others by nft.ts.
    const { text, text6 } = main.iptables;
    const rest = withoutTables(main.json, managedTables(text, text6));
    out.push({ tool: 'nftables', command: 'nft -j list ruleset', verdict: evaluateNft(rest, hook, pkt) });
    out.push(iptablesNft(v6 ? text6 : text));
  } else if (main.tool === 'nft')
    out.push({
      tool: 'nftables',
      command: 'nft -j list ruleset',
      verdict: evaluateNft(main.json, hook, pkt),
    });
  else if (main.tool === 'error')
    out.push({
      tool: 'nftables',
      command: main.error.startsWith('iptables-nft-save') ? 'iptables-nft-save' : 'nft -j list ruleset',
      verdict: unreadable(`the firewall could not be read: ${main.error}`),
      unread: true,
    });
  else if (main.tool === 'iptables') out.push(iptablesNft(v6 ? main.text6 : main.text));
  const legacyText = v6 ? legacy.v6 : legacy.v4;
  const legacyTool = v6 ? 'ip6tables-legacy' : 'iptables-legacy';
  if (legacyText !== null)
    out.push({
      tool: legacyTool,
      command: `${legacyTool}-save`,
      verdict: evaluateIptables(legacyText, hook, pkt),
    });
  if (legacy.error)
    out.push({
      tool: legacyTool,
      command: `${legacyTool}-save`,
      verdict: unreadable(`legacy rules could not be read: ${legacy.error}`),
      unread: true,
    });
  return out;
}

export async function firewallHop(
  ctx: TraceContext,
  ns: string,
  hook: Hook,
  pkt: PacketView,
  inIf: Interface | null,
  outIf: Interface | null,
): Promise<TraceHop | null> {
  const judged = judgeFirewalls(await ctx.firewall(ns), hook, pkt);
  const base = { namespace: ns, in: inIf?.id ?? null, out: outIf?.id ?? null, action: 'drop' as const };
  const withNat = (v: FirewallVerdict) =>
    v.nat.length ? `${v.detail} (NAT: ${v.nat.join(', ')})` : v.detail;
  const drop = judged.find((j) => j.verdict.verdict === 'drop');
  if (drop)
    return {
      ...base,
      detail: withNat(drop.verdict),
      command: drop.command,
      ok: false,
      reason: `${drop.tool} ${hook} chain drops it: ${drop.verdict.detail}`,
    };
  const doubts = judged.filter((j) => j.verdict.verdict === 'unknown');
  if (doubts.length === 0) return null;
  return {
    ...base,
    detail: doubts.map((j) => withNat(j.verdict)).join('; '),
    command: doubts.map((j) => j.command).join('; '),
    ok: false,
    reason: doubts
      .map((j) =>
        j.unread
          ? `cannot tell statically: ${j.verdict.detail}`
          : `cannot tell statically whether ${j.tool} ${hook} lets it through: ${j.verdict.detail}`,
      )
      .join('; '),
    unknown: true,
  };
}
