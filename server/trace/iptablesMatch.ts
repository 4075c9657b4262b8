/**
 * Whether one iptables rule's matches take the trace's packet (pure): true, false, or 'unknown'
 * with the match we cannot decide statically (a module or option not modelled here). Modelled:
 * -s/-d (prefix or netmask), -p, -i/-o (with `+`), -f, and the modules tcp, udp, icmp, icmp6,
 * multiport, iprange, conntrack/state (--ctstate, --state), mark, comment.
 */
import ipaddr from 'ipaddr.js';
import type { PacketView } from './nft.js';
import type { IptOption, IptRule } from './iptablesParse.js';

export type Decided = { ok: true | false } | { ok: 'unknown'; why: string };

const yes: Decided = { ok: true };
const no: Decided = { ok: false };
const unknown = (why: string): Decided => ({ ok: 'unknown', why });

/** Combines matches (all must hold): any false wins, then any unknown. */
function all(results: Decided[]): Decided {
  if (results.some((r) => r.ok === false)) return no;
  return results.find((r) => r.ok === 'unknown') ?? yes;
}

const flip = (d: Decided, negated: boolean): Decided => (negated && d.ok !== 'unknown' ? { ok: !d.ok } : d);

function inNet(addr: string, spec: string): Decided {
  try {
    const a = ipaddr.parse(addr);
    const [net = '', mask] = spec.split('/');
    const n = ipaddr.parse(net);
    if (a.kind() !== n.kind()) return no;
    let len = a.kind() === 'ipv4' ? 32 : 128;
    if (mask !== undefined) {
      len = /^\d+$/.test(mask) ? Number(mask) : (ipaddr.parse(mask).prefixLengthFromSubnetMask() ?? -1);
      if (len < 0) return unknown(`non-contiguous netmask ${spec}`);
    }
    return { ok: a.match(n, len) };
  } catch {
    return unknown(`address ${spec}`);
  }
}

function inRange(addr: string, spec: string): Decided {
  try {
    const [lo = '', hi = lo] = spec.split('-');
    const a = ipaddr.parse(addr).toByteArray();
    const [l, h] = [ipaddr.parse(lo).toByteArray(), ipaddr.parse(hi).toByteArray()];
    if (a.length !== l.length) return no;
    const cmp = (x: number[], y: number[]) => x.reduce((c, v, i) => c || v - y[i]!, 0);
    return { ok: cmp(a, l) >= 0 && cmp(a, h) <= 0 };
  } catch {
    return unknown(`address range ${spec}`);
  }
}

/** Interface names: `+` at the end matches any name with that beginning. */
function ifaceMatches(name: string | null, spec: string): Decided {
  if (name === null) return unknown(`interface ${spec}`);
  return { ok: spec.endsWith('+') ? name.startsWith(spec.slice(0, -1)) : name === spec };
}

const PROTOCOLS: Record<string, string> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'ipv6-icmp',
  icmpv6: 'ipv6-icmp',
  'ipv6-icmp': 'ipv6-icmp',
  icmp: 'icmp',
  tcp: 'tcp',
  udp: 'udp',
};

const protocolOf = (p: PacketView): string =>
  p.protocol === 'icmp' && p.family === 6 ? 'ipv6-icmp' : p.protocol;

function protocolMatches(p: PacketView, spec: string): Decided {
  const s = spec.toLowerCase();
  if (s === 'all' || s === '0') return yes;
  const name = PROTOCOLS[s];
  return name ? { ok: name === protocolOf(p) } : { ok: false };
}

/** `80`, `1000:2000`, `:1023`, `1024:` against a port (null: an ephemeral one, unknown). */
function portIn(port: number | null, spec: string): Decided {
  const m = /^(\d*)(?::(\d*))?$/.exec(spec);
  if (!m) return unknown(`port ${spec}`);
  const lo = m[1] ? Number(m[1]) : 0;
  const hi = m[2] !== undefined ? (m[2] ? Number(m[2]) : 65535) : lo;
  if (port === null) return lo === 0 && hi === 65535 ? yes : unknown('the source port (ephemeral)');
  return { ok: port >= lo && port <= hi };
}

const anyPort = (port: number | null, list: string): Decided => {
  const rs = list.split(',').map((s) => portIn(port, s));
  return rs.find((r) => r.ok === true) ?? rs.find((r) => r.ok === 'unknown') ?? no;
};

const ICMP_TYPES: Record<string, number> = {
  'echo-reply': 0,
  pong: 0,
  'echo-request': 8,
  ping: 8,
  'icmpv6-echo-reply': 129,
  'icmpv6-echo-request': 128,
};

function icmpType(p: PacketView, spec: string, v6: boolean): Decided {
  if (spec === 'any') return yes;
  const [type = ''] = spec.split('/');
  if (p.icmpType === null) return unknown(`icmp type ${spec}`);
  const have = v6 ? (p.icmpType === 'echo-request' ? 128 : 129) : p.icmpType === 'echo-request' ? 8 : 0;
  const named = /^\d+$/.test(type)
    ? Number(type)
    : (ICMP_TYPES[v6 ? `icmpv6-${type}` : type] ?? ICMP_TYPES[type]);
  if (named === undefined) return unknown(`icmp type ${spec}`);
  // Echo messages have code 0: `8/0` is still an echo request.
  return { ok: named === have && (!spec.includes('/') || spec.endsWith('/0')) };
}

/** `NEW,ESTABLISHED`: a first packet is NEW, the reply of an allowed flow ESTABLISHED. */
const stateIn = (p: PacketView, list: string): Decided => ({
  ok: list.split(',').some((s) => s.toLowerCase() === p.ctState),
});

function markMatches(p: PacketView, spec: string): Decided {
  if (typeof p.mark !== 'number') return unknown(`mark ${spec} (the mark is not known here)`);
  const [value = '', mask = '0xffffffff'] = spec.split('/');
  const v = Number(value);
  const m = Number(mask);
  if (!Number.isFinite(v) || !Number.isFinite(m)) return unknown(`mark ${spec}`);
  return { ok: (p.mark & m) >>> 0 === (v & m) >>> 0 };
}

function generalMatch(o: IptOption, p: PacketView): Decided {
  const v = o.values[0] ?? '';
  if (o.name === '-s') return flip(inNet(p.saddr, v), o.negated);
  if (o.name === '-d') return flip(inNet(p.daddr, v), o.negated);
  if (o.name === '-p') return flip(protocolMatches(p, v), o.negated);
  if (o.name === '-i') return flip(ifaceMatches(p.iifname, v), o.negated);
  if (o.name === '-o') return flip(ifaceMatches(p.oifname, v), o.negated);
  // -f: second and later fragments only; the trace's packet is a first (or whole) one.
  if (o.name === '-f') return { ok: o.negated };
  return unknown(o.name);
}

/** One module option: decided, or unknown (naming it) where the module or option is not modelled. */
function moduleOption(mod: string, o: IptOption, p: PacketView): Decided {
  const v = o.values[0] ?? '';
  const l4 = mod === 'tcp' || mod === 'udp' ? mod : null;
  if (l4) {
    // The module only matches its own protocol (iptables requires -p too).
    if (p.protocol !== l4) return no;
    if (o.name === '--dport' || o.name === '--destination-port') return flip(portIn(p.dport, v), o.negated);
    if (o.name === '--sport' || o.name === '--source-port') return flip(portIn(p.sport, v), o.negated);
    return unknown(`-m ${mod} ${o.name}`);
  }
  if (mod === 'multiport') {
    if (p.protocol === 'icmp') return no;
    if (o.name === '--dports' || o.name === '--destination-ports')
      return flip(anyPort(p.dport, v), o.negated);
    if (o.name === '--sports' || o.name === '--source-ports') return flip(anyPort(p.sport, v), o.negated);
    if (o.name === '--ports') {
      const either = [anyPort(p.dport, v), anyPort(p.sport, v)];
      const any = either.find((r) => r.ok === true) ?? either.find((r) => r.ok === 'unknown') ?? no;
      return flip(any, o.negated);
    }
  }
  if (mod === 'icmp' && o.name === '--icmp-type')
    return p.protocol !== 'icmp' || p.family !== 4 ? no : flip(icmpType(p, v, false), o.negated);
  if (mod === 'icmp6' && o.name === '--icmpv6-type')
    return p.protocol !== 'icmp' || p.family !== 6 ? no : flip(icmpType(p, v, true), o.negated);
  if (mod === 'conntrack' && o.name === '--ctstate') return flip(stateIn(p, v), o.negated);
  if (mod === 'state' && o.name === '--state') return flip(stateIn(p, v), o.negated);
  if (mod === 'iprange' && o.name === '--src-range') return flip(inRange(p.saddr, v), o.negated);
  if (mod === 'iprange' && o.name === '--dst-range') return flip(inRange(p.daddr, v), o.negated);
  if (mod === 'mark' && o.name === '--mark') return flip(markMatches(p, v), o.negated);
  return unknown(
    `-m ${mod} ${o.negated ? '! ' : ''}${o.name}${o.values.length ? ` ${o.values.join(' ')}` : ''}`,
  );
}

/** Whether the rule's matches take the packet. */
export function ruleMatches(rule: IptRule, p: PacketView): Decided {
  if (rule.unparsed) return unknown(`the word "${rule.unparsed}"`);
  const results = rule.general.map((o) => generalMatch(o, p));
  for (const m of rule.modules) {
    if (m.name === 'comment') continue;
    if (m.options.length === 0 && (m.name === 'tcp' || m.name === 'udp'))
      results.push({ ok: p.protocol === m.name });
    for (const o of m.options) results.push(moduleOption(m.name, o, p));
  }
  return all(results);
}
