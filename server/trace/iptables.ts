/**
 * What iptables rules (iptables-save text, legacy or nft backend) decide for the trace's packet at
 * one hook (pure), the same role nft.ts has for nftables. The built-in chain of the hook is walked
 * in each table that has it, in the kernel's order (raw, mangle, filter, security); rules whose
 * matches cannot be decided (iptablesMatch.ts) make the answer "unknown" only where they could
 * change it, naming the rule. NAT chains are noted, not evaluated.
 */
import type { FirewallVerdict, Hook, PacketView } from './nft.js';
import type { IptChain, IptRule, IptTable } from './iptablesParse.js';
import { parseIptablesSave } from './iptablesParse.js';
import { ruleMatches } from './iptablesMatch.js';
import type { ChainResult, Doubt } from './chainVerdict.js';
import { combineChains } from './chainVerdict.js';

/** Filtering tables in priority order (raw -300, mangle -150, filter 0, security 50). */
const TABLE_ORDER = ['raw', 'mangle', 'filter', 'security'];

/** Targets that neither decide nor change what later matches see (logging, marking, QoS...). */
const PASSIVE = new Set([
  'LOG',
  'NFLOG',
  'ULOG',
  'AUDIT',
  'TRACE',
  'MARK',
  'CONNMARK',
  'CLASSIFY',
  'DSCP',
  'TOS',
  'TCPMSS',
  'TTL',
  'HL',
  'CHECKSUM',
  'SECMARK',
  'CONNSECMARK',
]);

/** Targets that write the mark (then no `-m mark` can be decided). */
const MARKING = new Set(['MARK', 'CONNMARK']);

type Kind = 'accept' | 'drop' | 'return' | 'continue';

interface Outcome {
  kind: Kind;
  chain: IptChain;
  rule: IptRule | null;
}

const describe = (table: string, chain: string, rule: IptRule) =>
  `table ${table} chain ${chain}: ${rule.text}`;

function evalChain(table: IptTable, chain: IptChain, p: PacketView, depth: number, doubts: Doubt[]): Outcome {
  for (const rule of chain.rules) {
    const m = ruleMatches(rule, p);
    if (m.ok === false) continue;
    const target = rule.target?.name ?? null;
    const text = describe(table.name, chain.name, rule);
    const why = m.ok === 'unknown' ? ` (${m.why} cannot be decided statically)` : '';
    if (target === null || PASSIVE.has(target)) continue;
    let kind: Kind | null = null;
    if (target === 'ACCEPT') kind = 'accept';
    else if (target === 'DROP' || target === 'REJECT') kind = 'drop';
    else if (target === 'RETURN') kind = 'return';
    if (kind) {
      if (m.ok === true) return { kind, chain, rule };
      if (kind !== 'return') doubts.push({ kind, text: `${text}${why}` });
      else doubts.push({ kind: 'any', text: `${text}${why}` });
      continue;
    }
    const sub = table.chains.get(target);
    if (sub && sub.policy === null && depth < 16) {
      if (m.ok !== true) {
        doubts.push({ kind: 'any', text: `${text}${why}` });
        continue;
      }
      const out = evalChain(table, sub, p, depth + 1, doubts);
      if (out.kind === 'accept' || out.kind === 'drop') return out;
      // -g: falling off the chain returns to the caller's caller.
      if (rule.target?.goto) return { kind: 'return', chain, rule: null };
      continue;
    }
    // QUEUE, NFQUEUE, TEE, CT, SET...: its effect on the packet is not modelled.
    doubts.push({ kind: 'any', text: `${text} (target ${target} is not evaluated)${why}` });
  }
  return { kind: 'continue', chain, rule: null };
}

/** Whether any rule writes the packet mark. */
const setsMark = (tables: IptTable[]): boolean =>
  tables.some((t) =>
    [...t.chains.values()].some((c) => c.rules.some((r) => MARKING.has(r.target?.name ?? ''))),
  );

/** Evaluates the built-in chain of `hook` in every filtering table of one iptables-save output. */
export function evaluateIptables(text: string, hook: Hook, packet: PacketView): FirewallVerdict {
  const tables = parseIptablesSave(text);
  const p = setsMark(tables) ? { ...packet, mark: null } : packet;
  const name = hook.toUpperCase();
  const nat = tables
    .filter((t) => t.name === 'nat' && (t.chains.get(name)?.rules.length ?? 0) > 0)
    .map(() => `table nat chain ${name}`);
  const ordered = tables
    .filter((t) => TABLE_ORDER.includes(t.name) && t.chains.get(name)?.policy)
    .sort((a, b) => TABLE_ORDER.indexOf(a.name) - TABLE_ORDER.indexOf(b.name));
  function* walked(): Generator<ChainResult> {
    for (const t of ordered) {
      const chain = t.chains.get(name)!;
      const doubts: Doubt[] = [];
      const out = evalChain(t, chain, p, 0, doubts);
      const decided = out.kind === 'accept' || out.kind === 'drop';
      yield {
        dropped: out.kind === 'drop' || (!decided && chain.policy === 'DROP'),
        detail:
          decided && out.rule
            ? describe(t.name, out.chain.name, out.rule)
            : `table ${t.name} chain ${name}: policy ${chain.policy ?? 'ACCEPT'}`,
        doubts,
      };
    }
  }
  return combineChains(walked(), nat, `no ${name} chain`);
}
