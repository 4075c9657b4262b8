/** iptables rules decided for the trace's packet, over recorded iptables-save output (pure). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateIptables } from './iptables.js';
import { parseIptablesSave, words } from './iptablesParse.js';
import type { PacketView } from './nft.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
/** iptables-legacy-save of a router: FORWARD policy DROP, a user chain, several match forms. */
const router = fixture('router-iptables-legacy.txt');
/** ip6tables-legacy-save of the same router. */
const router6 = fixture('router-ip6tables-legacy.txt');

const tcp = (dport: number, extra: Partial<PacketView> = {}): PacketView => ({
  family: 4,
  saddr: '10.77.1.1',
  daddr: '10.77.2.1',
  protocol: 'tcp',
  sport: null,
  dport,
  icmpType: null,
  iifname: 'r0',
  oifname: 'r1',
  ctState: 'new',
  mark: 0,
  ...extra,
});
const ping: PacketView = { ...tcp(0), protocol: 'icmp', dport: null, icmpType: 'echo-request' };

describe('iptables-save text', () => {
  it('splits words as iptables-save quotes them', () => {
    expect(words('-A X -m comment --comment "two words \\"q\\"" -j ACCEPT')).toEqual([
      '-A',
      'X',
      '-m',
      'comment',
      '--comment',
      'two words "q"',
      '-j',
      'ACCEPT',
    ]);
  });
  it('reads tables, policies, user chains and rules in order', () => {
    const [filter] = parseIptablesSave(router);
    expect(filter!.name).toBe('filter');
    expect([...filter!.chains.values()].map((c) => `${c.name}:${c.policy}`)).toEqual([
      'INPUT:ACCEPT',
      'FORWARD:DROP',
      'OUTPUT:ACCEPT',
      'WEB:null',
    ]);
    const rule = filter!.chains.get('FORWARD')!.rules[2]!;
    expect(rule.general.map((o) => o.name)).toEqual(['-p']);
    expect(rule.modules[0]).toEqual({
      name: 'tcp',
      options: [{ negated: false, name: '--dport', values: ['80'] }],
    });
    expect(rule.target).toEqual({ name: 'WEB', goto: false, options: [] });
    const negated = filter!.chains.get('WEB')!.rules[0]!;
    expect(negated.general[0]).toEqual({ negated: true, name: '-s', values: ['10.77.1.0/24'] });
  });
});

describe('iptables rules decide the packet (recorded legacy router)', () => {
  it('accepts through a user chain and names the rule that did', () => {
    const v = evaluateIptables(router, 'forward', tcp(80));
    expect(v).toEqual({ verdict: 'accept', detail: 'table filter chain WEB: -j ACCEPT', nat: [] });
  });
  it('drops by policy what no rule accepts', () => {
    expect(evaluateIptables(router, 'forward', tcp(81))).toMatchObject({
      verdict: 'drop',
      detail: 'table filter chain FORWARD: policy DROP',
    });
  });
  it('follows RETURN from a user chain back to the policy (! -s)', () => {
    expect(evaluateIptables(router, 'forward', tcp(80, { saddr: '10.99.0.1' })).verdict).toBe('drop');
  });
  it('accepts an echo request by type and the established reply by conntrack state', () => {
    expect(evaluateIptables(router, 'forward', ping).detail).toMatch(/--icmp-type 8 -j ACCEPT$/);
    const reply: PacketView = { ...ping, icmpType: 'echo-reply', ctState: 'established' };
    expect(evaluateIptables(router, 'forward', reply).detail).toMatch(/--ctstate RELATED,ESTABLISHED/);
    // Not the echo request's interfaces: the rule names r0 -> r1.
    expect(evaluateIptables(router, 'forward', { ...ping, iifname: 'r1' }).verdict).toBe('drop');
  });
  it('reads multiport lists with ranges', () => {
    const udp = (dport: number) => ({ ...tcp(dport), protocol: 'udp' as const });
    expect(evaluateIptables(router, 'forward', udp(53)).verdict).toBe('accept');
    expect(evaluateIptables(router, 'forward', udp(5005)).verdict).toBe('accept');
    expect(evaluateIptables(router, 'forward', udp(54)).verdict).toBe('drop');
  });
  it('says unknown, naming the rule, where an undecidable match would accept what is dropped', () => {
    const v = evaluateIptables(router, 'forward', tcp(8080, { daddr: '10.77.3.1' }));
    expect(v.verdict).toBe('unknown');
    expect(v.detail).toContain(
      'table filter chain FORWARD: -d 10.77.3.0/24 -m addrtype --dst-type LOCAL -j ACCEPT',
    );
    expect(v.detail).toContain('-m addrtype --dst-type LOCAL cannot be decided statically');
    expect(v.detail).toMatch(/otherwise table filter chain FORWARD: policy DROP$/);
    // The same rule does not matter where it could not change the answer (port 80 is accepted).
    expect(evaluateIptables(router, 'forward', tcp(80, { daddr: '10.77.3.1' })).verdict).toBe('accept');
    // Nor for a destination outside its -d.
    expect(evaluateIptables(router, 'forward', tcp(8080)).verdict).toBe('drop');
  });
  it('drops at INPUT by a mark match, and cannot decide marks once a rule sets them', () => {
    expect(evaluateIptables(router, 'input', tcp(22, { mark: 0x10 })).verdict).toBe('drop');
    expect(evaluateIptables(router, 'input', tcp(22, { mark: 0 })).verdict).toBe('accept');
    const marking = router.replace('COMMIT', '-A OUTPUT -j MARK --set-xmark 0x10/0xffffffff\nCOMMIT');
    expect(evaluateIptables(marking, 'input', tcp(22, { mark: 0 })).verdict).toBe('unknown');
  });
  it('a source port it cannot know makes a --sport rule undecidable', () => {
    const text = '*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -p tcp -m tcp --sport 1024:2048 -j ACCEPT\nCOMMIT\n';
    expect(evaluateIptables(text, 'output', tcp(80)).verdict).toBe('unknown');
    expect(evaluateIptables(text, 'output', tcp(80, { sport: 1500 })).verdict).toBe('accept');
  });
  it('-g returns past the chain that jumped; interface wildcards; REJECT drops', () => {
    const text = [
      '*filter',
      ':FORWARD ACCEPT [0:0]',
      ':A - [0:0]',
      ':B - [0:0]',
      '-A FORWARD -i r+ -j A',
      '-A FORWARD -j REJECT --reject-with icmp-port-unreachable',
      '-A A -g B',
      '-A A -j ACCEPT',
      '-A B -p udp -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n');
    // tcp: B falls off, -g goes back to FORWARD (not A's ACCEPT), then REJECT.
    expect(evaluateIptables(text, 'forward', tcp(80))).toMatchObject({
      verdict: 'drop',
      detail: 'table filter chain FORWARD: -j REJECT --reject-with icmp-port-unreachable',
    });
    expect(evaluateIptables(text, 'forward', { ...tcp(80), protocol: 'udp' }).verdict).toBe('accept');
    expect(evaluateIptables(text, 'forward', tcp(80, { iifname: 'x0' })).verdict).toBe('drop');
  });
  it('evaluates mangle before filter and notes NAT chains', () => {
    const text = [
      '*nat',
      ':OUTPUT ACCEPT [0:0]',
      '-A OUTPUT -d 10.1.1.1/32 -j DNAT --to-destination 10.2.2.2',
      'COMMIT',
      '*mangle',
      ':OUTPUT ACCEPT [0:0]',
      '-A OUTPUT -p tcp -m tcp --dport 25 -j DROP',
      'COMMIT',
      '*filter',
      ':OUTPUT ACCEPT [0:0]',
      'COMMIT',
      '',
    ].join('\n');
    expect(evaluateIptables(text, 'output', tcp(25))).toEqual({
      verdict: 'drop',
      detail: 'table mangle chain OUTPUT: -p tcp -m tcp --dport 25 -j DROP',
      nat: ['table nat chain OUTPUT'],
    });
  });
  it('reads ip6tables text for IPv6 packets', () => {
    const v6: PacketView = { ...ping, family: 6, saddr: 'fd77:1::1', daddr: 'fd77:2::1' };
    expect(evaluateIptables(router6, 'forward', v6)).toMatchObject({ verdict: 'drop' });
    expect(evaluateIptables(router6, 'forward', { ...v6, daddr: 'fd77:3::1' }).verdict).toBe('accept');
    expect(evaluateIptables(router6, 'forward', { ...v6, ...tcp(80), family: 6 }).verdict).toBe('accept');
  });
});
