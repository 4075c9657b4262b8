/** The trace's pure parts over recorded tool output: parsers, nftables evaluation, probe output. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonArray, parseAddrShow, parseNeigh, parseRouteGet, parseSysctlGrep, routeText } from './facts.js';
import { evaluateNft } from './nft.js';
import type { PacketView } from './nft.js';
import { parseProbe } from './probe.js';
import { listenerFor } from './trace.js';
import { forwardingOn, rpFilterOf } from './context.js';
import { findReceiver, indexTopology } from './segment.js';
import { iface } from '../../common/testing/builders.js';
import type { Interface } from '../../common/model.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const ruleset: unknown = JSON.parse(fixture('router-ruleset.json'));

const tcp80: PacketView = {
  family: 4,
  saddr: '10.77.1.1',
  daddr: '10.77.2.1',
  protocol: 'tcp',
  sport: null,
  dport: 80,
  icmpType: null,
  iifname: 'r0',
  oifname: 'r1',
  ctState: 'new',
};

describe('ip output of a router namespace (recorded)', () => {
  const lines = fixture('router-read.txt').split('\n');
  it('reads links with state, master and addresses', () => {
    const links = parseAddrShow(jsonArray(lines[0]));
    expect(links.map((l) => l.name)).toEqual(['lo', 'r0', 'r1']);
    expect(links[1]).toMatchObject({
      up: true,
      lowerUp: true,
      addrs: ['10.77.1.254', 'fe80::a0a1:d0ff:fe44:641e'],
    });
    expect(links[1]!.cidrs[0]).toBe('10.77.1.254/24');
  });
  it('reads neighbours including a FAILED one', () => {
    const n = parseNeigh(jsonArray(lines[1]));
    expect(n.find((x) => x.dst === '10.77.1.77')?.state).toEqual(['FAILED']);
    expect(n.find((x) => x.dst === '10.77.1.1')?.lladdr).toBe('66:78:3e:14:65:fb');
  });
  it('reads a forwarding decision with its input interface', () => {
    const r = parseRouteGet(lines[2], '');
    expect(r).toMatchObject({ ok: true, route: { dev: 'r1', type: 'unicast' } });
    if (r.ok) expect(r.route.text).toBe('10.77.2.1 from 10.77.1.1 dev r1 iif r0');
  });
  it('turns a failed route get into the kernel message', () => {
    expect(parseRouteGet(undefined, 'RTNETLINK answers: No route to host\nCommand failed -:3\n')).toEqual({
      ok: false,
      error: 'No route to host',
    });
  });
  it('prints a route as ip does', () => {
    expect(
      routeText({ type: 'local', dst: '10.1.1.1', dev: 'lo', table: 'local', prefsrc: '10.1.1.1' }),
    ).toBe('local 10.1.1.1 dev lo table local src 10.1.1.1');
  });
});

describe('sysctls', () => {
  const s = parseSysctlGrep(
    [
      '/proc/sys/net/ipv4/ip_forward:1',
      '/proc/sys/net/ipv4/conf/all/rp_filter:0',
      '/proc/sys/net/ipv4/conf/r0/rp_filter:2',
      '/proc/sys/net/ipv4/conf/r0/forwarding:1',
      '/proc/sys/net/ipv4/conf/r1/forwarding:0',
    ].join('\n'),
  );
  it('takes the larger of all and the interface for rp_filter', () => {
    expect(rpFilterOf(s, 'r0')).toBe(2);
    expect(rpFilterOf(s, 'r1')).toBe(0);
  });
  it('reads forwarding per input interface', () => {
    expect(forwardingOn(s, 'r0', 4)).toBe(true);
    expect(forwardingOn(s, 'r1', 4)).toBe(false);
    expect(forwardingOn(s, 'r1', 6)).toBe(false);
  });
});

describe('nftables evaluation (recorded ruleset)', () => {
  it('drops TCP 80 by the rule that matches addresses and port', () => {
    const v = evaluateNft(ruleset, 'forward', tcp80);
    expect(v.verdict).toBe('drop');
    expect(v.detail).toBe(
      'table inet f chain c_forward: ip saddr 10.77.1.0/24 ip daddr 10.77.2.1 tcp dport { 80, 443 } drop',
    );
  });
  it('lets an established reply through by its conntrack rule', () => {
    expect(evaluateNft(ruleset, 'forward', { ...tcp80, ctState: 'established' }).verdict).toBe('accept');
  });
  it('rejects UDP 53 coming in on r0 and not on another interface', () => {
    const udp = { ...tcp80, protocol: 'udp' as const, dport: 53 };
    expect(evaluateNft(ruleset, 'forward', udp).verdict).toBe('drop');
    expect(evaluateNft(ruleset, 'forward', { ...udp, iifname: 'r9' }).verdict).toBe('accept');
  });
  it('matches a port range and a jump to a dropping chain', () => {
    expect(evaluateNft(ruleset, 'forward', { ...tcp80, dport: 1500 }).verdict).toBe('drop');
    const outside = evaluateNft(ruleset, 'forward', { ...tcp80, saddr: '192.0.2.1', dport: 22 });
    expect(outside).toMatchObject({ verdict: 'drop', detail: 'table inet f chain other: drop' });
  });
  it('applies a chain policy and notes NAT chains', () => {
    expect(evaluateNft(ruleset, 'input', tcp80)).toMatchObject({
      verdict: 'drop',
      detail: 'table inet f chain c_input: policy drop',
    });
    expect(evaluateNft(ruleset, 'postrouting', tcp80).nat).toEqual([
      'table ip nat chain post (nat, postrouting)',
    ]);
  });
  it('says unknown when a match it cannot decide would change the outcome', () => {
    const json = {
      nftables: [
        {
          chain: {
            family: 'ip',
            table: 't',
            name: 'c',
            type: 'filter',
            hook: 'forward',
            prio: 0,
            policy: 'accept',
          },
        },
        {
          rule: {
            family: 'ip',
            table: 't',
            chain: 'c',
            expr: [{ match: { op: '==', left: { meta: { key: 'mark' } }, right: 1 } }, { drop: null }],
          },
        },
      ],
    };
    expect(evaluateNft(json, 'forward', tcp80).verdict).toBe('unknown');
    // The same doubt does not matter when the outcome is drop anyway.
    const dropAll = {
      nftables: [
        ...json.nftables,
        { rule: { family: 'ip', table: 't', chain: 'c', expr: [{ drop: null }] } },
      ],
    };
    expect(evaluateNft(dropAll, 'forward', tcp80).verdict).toBe('drop');
  });
  it('does not apply ip rules to an IPv6 packet', () => {
    const v6 = { ...tcp80, family: 6 as const, saddr: 'fd00::1', daddr: 'fd00::2' };
    expect(evaluateNft(ruleset, 'forward', { ...v6, dport: 80 }).verdict).toBe('accept');
  });
});

describe('probe output', () => {
  it('reads busybox ping', () => {
    const ok =
      '64 bytes from 10.0.0.2: seq=0 ttl=64 time=0.116 ms\n1 packets transmitted, 1 packets received';
    expect(parseProbe('icmp', 0, ok, '')).toEqual({ ok: true, rttMs: 0.116, error: null });
    expect(parseProbe('icmp', 1, '1 packets transmitted, 0 packets received, 100% packet loss', '')).toEqual({
      ok: false,
      rttMs: null,
      error: 'no reply',
    });
    expect(parseProbe('icmp', 1, '', 'ping: sendto: Network is unreachable\n').error).toBe(
      'ping: sendto: Network is unreachable',
    );
  });
  it('reads the socket script', () => {
    expect(parseProbe('tcp', 0, 'ok 0.512\n', '')).toEqual({ ok: true, rttMs: 0.512, error: null });
    expect(parseProbe('tcp', 0, 'err ECONNREFUSED\n', '')).toEqual({
      ok: false,
      rttMs: null,
      error: 'ECONNREFUSED',
    });
  });
});

describe('listeners', () => {
  const rows = [
    { proto: 'tcp', state: 'LISTEN', local: '0.0.0.0', port: 80, process: 'nginx', pid: 1 },
    { proto: 'tcp', state: 'LISTEN', local: '127.0.0.1', port: 8080, process: 'x', pid: 2 },
    { proto: 'udp', state: 'UNCONN', local: '*', port: 53, process: null, pid: null },
  ];
  it('takes wildcards and exact addresses, not another address', () => {
    expect(listenerFor(rows, 'tcp', '10.0.0.2', 80)?.process).toBe('nginx');
    expect(listenerFor(rows, 'tcp', '10.0.0.2', 8080)).toBeNull();
    expect(listenerFor(rows, 'tcp', '127.0.0.1', 8080)?.pid).toBe(2);
    expect(listenerFor(rows, 'udp', 'fd00::1', 53)).not.toBeNull();
    expect(listenerFor(rows, 'tcp', 'fd00::1', 80)).toBeNull();
  });
});

describe('layer 2 segment (model only)', () => {
  const addr = (cidr: string) => ({ family: 'inet' as const, cidr, scope: 'global', broadcast: null });
  const a = iface(1, 2, 'e0', { peer: 'if-2-5', addresses: [addr('10.0.0.1/24')] });
  const port1 = iface(2, 5, 'pa', { peer: 'if-1-2', master: 'if-2-9' });
  const port2 = iface(2, 6, 'pb', { peer: 'if-3-2', master: 'if-2-9' });
  const br = iface(2, 9, 'br0', { kind: 'bridge', mac: '02:00:00:00:00:09' });
  const b = iface(3, 2, 'e0', { peer: 'if-2-6', mac: '02:00:00:00:00:03', addresses: [addr('10.0.0.2/24')] });
  const topo = (first: Interface = a) =>
    indexTopology({
      version: 1,
      namespaces: [],
      interfaces: [first, port1, port2, br, b],
      routes: [],
      links: [],
    });
  it('finds the receiver across a bridge by address, with the way there', () => {
    const r = findReceiver(topo(), a, '10.0.0.2', null);
    expect(r.ok && r.path.map((i) => i.name)).toEqual(['e0', 'pa', 'br0', 'pb', 'e0']);
  });
  it('prefers the MAC the neighbour table knows', () => {
    const r = findReceiver(topo(), a, '10.0.0.2', '02:00:00:00:00:09');
    expect(r.ok && r.receiver.name).toBe('br0');
  });
  it('says nobody has the address, listing who is there', () => {
    const r = findReceiver(topo(), a, '10.0.0.7', null);
    expect(r).toMatchObject({ ok: false, unknown: false });
    if (!r.ok) expect(r.reason).toMatch(/no host on the link from e0 has 10\.0\.0\.7 .*e0 10\.0\.0\.2\/24/);
  });
  it('says unknown when a veth peer is unresolved', () => {
    const lost = { ...a, peer: null, peerUnresolved: 'nsid 0 could not be mapped' };
    const r = findReceiver(topo(lost), lost, '10.0.0.2', null);
    expect(r).toMatchObject({ ok: false, unknown: true });
  });
});

describe('a bridge that filters by VLAN', () => {
  // As `ip -j -d addr show` prints a bridge (this machine's kernel cannot turn filtering on).
  const bridge = (vlanFiltering: number) => ({
    ifindex: 3,
    ifname: 'br0',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    address: 'aa:bb:cc:dd:ee:01',
    linkinfo: { info_kind: 'bridge', info_data: { stp_state: 0, vlan_filtering: vlanFiltering } },
    addr_info: [],
  });
  it('is read as such, so that its hop is unknown rather than guessed', () => {
    expect(parseAddrShow([bridge(1)])[0]!.vlanFiltering).toBe(true);
    expect(parseAddrShow([bridge(0)])[0]!.vlanFiltering).toBe(false);
  });
});
