/**
 * Which nftables chains a packet passes at one hook and what they decide, from `nft -j list
 * ruleset` (pure). Only matches we can decide from the packet's addresses, protocol, ports,
 * interfaces and conntrack state are evaluated; any other match on a rule that would change the
 * outcome makes the answer "unknown" rather than a guess.
 */
import ipaddr from 'ipaddr.js';
import { ruleText } from './nftText.js';
import type { ChainResult, Doubt } from './chainVerdict.js';
import { combineChains } from './chainVerdict.js';

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export interface PacketView {
  family: 4 | 6;
  saddr: string;
  daddr: string;
  protocol: 'icmp' | 'tcp' | 'udp';
  /** null where it is an ephemeral port nobody can know in advance. */
  sport: number | null;
  dport: number | null;
  /** Echo request going out, echo reply coming back. */
  icmpType: 'echo-request' | 'echo-reply' | null;
  iifname: string | null;
  oifname: string | null;
  ctState: 'new' | 'established';
  /** The packet's firewall mark (0: none); absent or null: unknown. */
  mark?: number | null;
}

export interface FirewallVerdict {
  verdict: 'accept' | 'drop' | 'unknown';
  /** The rule or policy that decided (`table inet f chain fwd: tcp dport 80 drop`). */
  detail: string;
  /** NAT chains at this hook (they may rewrite addresses): noted, not evaluated. */
  nat: string[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Chain {
  family: string;
  table: string;
  name: string;
  type: string | null;
  hook: string | null;
  prio: number;
  policy: string;
  rules: Json[][];
}

function chainsOf(json: unknown): Map<string, Chain> {
  const chains = new Map<string, Chain>();
  const list = isObj(json) && Array.isArray(json.nftables) ? (json.nftables as unknown[]) : [];
  const key = (f: unknown, t: unknown, c: unknown) => `${String(f)}/${String(t)}/${String(c)}`;
  for (const item of list) {
    if (!isObj(item)) continue;
    if (isObj(item.chain)) {
      const c = item.chain;
      chains.set(key(c.family, c.table, c.name), {
        family: String(c.family),
        table: String(c.table),
        name: String(c.name),
        type: typeof c.type === 'string' ? c.type : null,
        hook: typeof c.hook === 'string' ? c.hook : null,
        prio: typeof c.prio === 'number' ? c.prio : 0,
        policy: typeof c.policy === 'string' ? c.policy : 'accept',
        rules: [],
      });
    } else if (isObj(item.rule)) {
      const r = item.rule;
      const c = chains.get(key(r.family, r.table, r.chain));
      if (c && Array.isArray(r.expr)) c.rules.push(r.expr.filter(isObj));
    }
  }
  return chains;
}

type Tri = true | false | 'unknown';

function inPrefix(addr: string, prefix: Json): Tri {
  try {
    const a = ipaddr.parse(addr);
    const net = ipaddr.parse(String(prefix.addr));
    if (a.kind() !== net.kind()) return false;
    return a.match(net, Number(prefix.len));
  } catch {
    return 'unknown';
  }
}

/** Does `value` (a packet field) equal/lie in the rule's right-hand side? */
function matchesRight(value: string | number, right: unknown): Tri {
  if (Array.isArray(right)) return anyOf(right.map((r) => matchesRight(value, r)));
  if (isObj(right)) {
    if (Array.isArray(right.set)) return anyOf(right.set.map((r) => matchesRight(value, r)));
    if (isObj(right.prefix)) return typeof value === 'string' ? inPrefix(value, right.prefix) : false;
    if (Array.isArray(right.range) && right.range.length === 2) {
      const [lo, hi] = right.range as unknown[];
      if (typeof value === 'number' && typeof lo === 'number' && typeof hi === 'number')
        return value >= lo && value <= hi;
      return 'unknown';
    }
    return 'unknown';
  }
  if (typeof right === 'string' || typeof right === 'number') {
    if (typeof value === 'string' && typeof right === 'string' && value.includes('.') === right.includes('.'))
      try {
        return ipaddr.parse(value).toString() === ipaddr.parse(right).toString();
      } catch {
        return value === right;
      }
    return value === right;
  }
  return 'unknown';
}

function anyOf(results: Tri[]): Tri {
  if (results.includes(true)) return true;
  return results.includes('unknown') ? 'unknown' : false;
}

/** The packet's value for a match's left side, null if the packet has no such header. */
function leftValue(left: unknown, p: PacketView): string | number | null | 'unknown' {
  if (!isObj(left)) return 'unknown';
  // `meta mark & MASK`: the masked mark.
  if (Array.isArray(left['&']) && left['&'].length === 2 && typeof left['&'][1] === 'number') {
    const v = leftValue(left['&'][0], p);
    return typeof v === 'number' ? (v & left['&'][1]) >>> 0 : 'unknown';
  }
  if (isObj(left.payload)) {
    const { protocol, field } = left.payload;
    if (protocol === 'ip' || protocol === 'ip6') {
      if ((protocol === 'ip') !== (p.family === 4)) return null;
      if (field === 'saddr') return p.saddr;
      if (field === 'daddr') return p.daddr;
      if (field === 'protocol' || field === 'nexthdr')
        return p.protocol === 'icmp' && p.family === 6 ? 'ipv6-icmp' : p.protocol;
      return 'unknown';
    }
    if (protocol === 'tcp' || protocol === 'udp' || protocol === 'th') {
      if (protocol !== 'th' && protocol !== p.protocol) return null;
      if (protocol === 'th' && p.protocol === 'icmp') return null;
      const port = field === 'dport' ? p.dport : field === 'sport' ? p.sport : undefined;
      return port === undefined || port === null ? 'unknown' : port;
    }
    if (protocol === 'icmp' || protocol === 'icmpv6') {
      if (p.protocol !== 'icmp' || (protocol === 'icmp') !== (p.family === 4)) return null;
      return field === 'type' && p.icmpType ? p.icmpType : 'unknown';
    }
    return 'unknown';
  }
  if (isObj(left.meta)) {
    const key = left.meta.key;
    if (key === 'l4proto') return p.protocol === 'icmp' && p.family === 6 ? 'ipv6-icmp' : p.protocol;
    if (key === 'nfproto') return p.family === 4 ? 'ipv4' : 'ipv6';
    if (key === 'protocol') return p.family === 4 ? 'ip' : 'ip6';
    if (key === 'iifname') return p.iifname ?? null;
    if (key === 'oifname') return p.oifname ?? null;
    if (key === 'mark') return typeof p.mark === 'number' ? p.mark : 'unknown';
    return 'unknown';
  }
  if (isObj(left.ct) && left.ct.key === 'state') return p.ctState;
  return 'unknown';
}

function evalMatch(m: Json, p: PacketView): Tri {
  const value = leftValue(m.left, p);
  if (value === 'unknown') return 'unknown';
  const op = typeof m.op === 'string' ? m.op : '==';
  // No such header: nft's implicit protocol dependency makes the rule not match, even with !=.
  if (value === null) return false;
  const hit = matchesRight(value, m.right);
  if (op === '==' || op === 'in') return hit;
  if (op === '!=') return hit === 'unknown' ? 'unknown' : !hit;
  return 'unknown';
}

/** Statements that neither match nor decide (they count, log, mark...). */
const PASSIVE = new Set(['counter', 'log', 'mangle', 'notrack', 'comment']);

/** iptables-nft's `-m comment` (an xt match nft cannot show): it always matches. */
const isXtComment = (e: Json): boolean => isObj(e.xt) && e.xt.type === 'match' && e.xt.name === 'comment';

type Outcome = { kind: 'accept' | 'drop' | 'return' | 'continue'; rule: Json[] | null; chain: Chain };

function evalChain(
  chains: Map<string, Chain>,
  c: Chain,
  p: PacketView,
  depth: number,
  doubts: Doubt[],
): Outcome {
  for (const rule of c.rules) {
    let matched: Tri = true;
    for (const e of rule) {
      if (isObj(e.match)) {
        const m = evalMatch(e.match, p);
        if (m === false) {
          matched = false;
          break;
        }
        if (m === 'unknown') matched = 'unknown';
        continue;
      }
      const stmt = Object.keys(e)[0] ?? '';
      if (PASSIVE.has(stmt) || isXtComment(e)) continue;
      let out: Outcome | null = null;
      if (stmt === 'accept') out = { kind: 'accept', rule, chain: c };
      else if (stmt === 'drop' || stmt === 'reject') out = { kind: 'drop', rule, chain: c };
      else if (stmt === 'return') out = { kind: 'return', rule, chain: c };
      else if ((stmt === 'jump' || stmt === 'goto') && isObj(e[stmt]) && depth < 16) {
        const target = chains.get(`${c.family}/${c.table}/${String((e[stmt] as Json).target)}`);
        if (!target) out = null;
        else if (matched === true) {
          const sub = evalChain(chains, target, p, depth + 1, doubts);
          if (sub.kind === 'accept' || sub.kind === 'drop') return sub;
          if (stmt === 'goto') return { kind: 'continue', rule: null, chain: c };
          break;
        } else {
          doubts.push({
            kind: 'any',
            text: `${describeRule(c, rule)} (its match cannot be decided statically)`,
          });
          break;
        }
      } else {
        // A statement we do not model (limit, queue, set updates, xt...): its effect is unknown.
        matched = matched === false ? false : 'unknown';
        continue;
      }
      if (out) {
        if (matched === true) return out;
        if (out.kind === 'accept' || out.kind === 'drop')
          doubts.push({
            kind: out.kind,
            text: `${describeRule(c, rule)} (may match: not decidable statically)`,
          });
      }
      break;
    }
  }
  return { kind: 'continue', rule: null, chain: c };
}

export function describeRule(c: Chain, rule: Json[]): string {
  return `table ${c.family} ${c.table} chain ${c.name}: ${ruleText(rule)}`;
}

/** Whether any rule sets the packet mark (`meta mark set ...`): then no chain can know it. */
function setsMark(chains: Map<string, Chain>): boolean {
  return [...chains.values()].some((c) =>
    c.rules.some((r) =>
      r.some(
        (e) => isObj(e.mangle) && isObj(e.mangle.key) && JSON.stringify(e.mangle.key).includes('"mark"'),
      ),
    ),
  );
}

/** Evaluates every base chain at `hook` for the packet, in priority order (filter chains decide). */
export function evaluateNft(json: unknown, hook: Hook, packet: PacketView): FirewallVerdict {
  const chains = chainsOf(json);
  const p = setsMark(chains) ? { ...packet, mark: null } : packet;
  const families = p.family === 4 ? ['ip', 'inet'] : ['ip6', 'inet'];
  const base = [...chains.values()]
    .filter((c) => c.hook === hook && families.includes(c.family))
    .sort((a, b) => a.prio - b.prio);
  const nat = base
    .filter((c) => c.type === 'nat')
    .map((c) => `table ${c.family} ${c.table} chain ${c.name} (nat, ${hook})`);
  function* walked(): Generator<ChainResult> {
    for (const c of base) {
      if (c.type === 'nat') continue;
      const doubts: Doubt[] = [];
      const out = evalChain(chains, c, p, 0, doubts);
      yield {
        dropped: out.kind === 'drop' || (out.kind !== 'accept' && c.policy === 'drop'),
        detail:
          out.rule && (out.kind === 'accept' || out.kind === 'drop')
            ? describeRule(out.chain, out.rule)
            : `table ${c.family} ${c.table} chain ${c.name}: policy ${c.policy}`,
        doubts,
      };
    }
  }
  return combineChains(walked(), nat, `no ${hook} chain`);
}
