/** Several rulesets in one namespace (nftables, iptables-nft, legacy): each must accept (pure). */
import { describe, expect, it } from 'vitest';
import { judgeFirewalls } from './guard.js';
import { NO_LEGACY, parseNamesGrep } from './legacy.js';
import { hasXt, managedTables, withoutTables } from './iptablesNft.js';
import type { PacketView } from './nft.js';
import type { FirewallReads } from './reader.js';

const pkt: PacketView = {
  family: 4,
  saddr: '10.1.1.1',
  daddr: '10.1.2.1',
  protocol: 'tcp',
  sport: null,
  dport: 80,
  icmpType: null,
  iifname: 'r0',
  oifname: 'r1',
  ctState: 'new',
  mark: 0,
};
const nftAccept = {
  tool: 'nft' as const,
  json: {
    nftables: [
      {
        chain: {
          family: 'inet',
          table: 't',
          name: 'fw',
          type: 'filter',
          hook: 'forward',
          prio: 0,
          policy: 'drop',
        },
      },
      {
        rule: {
          family: 'inet',
          table: 't',
          chain: 'fw',
          expr: [
            { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 80 } },
            { accept: null },
          ],
        },
      },
    ],
  },
};
const legacyDrop = '*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -p tcp -m tcp --dport 80 -j DROP\nCOMMIT\n';
const verdicts = (fw: FirewallReads, p = pkt) =>
  judgeFirewalls(fw, 'forward', p).map((j) => `${j.tool}:${j.verdict.verdict}`);

describe('every ruleset of a namespace must accept', () => {
  it('nftables accepts, a legacy rule drops: both are asked', () => {
    const fw = { main: nftAccept, legacy: { v4: legacyDrop, v6: null, error: null } };
    expect(verdicts(fw)).toEqual(['nftables:accept', 'iptables-legacy:drop']);
    // IPv6 packets see the IPv6 legacy tables only (none here).
    expect(verdicts(fw, { ...pkt, family: 6, saddr: 'fd00::1', daddr: 'fd00:2::1' })).toEqual([
      'nftables:accept',
    ]);
  });
  it('iptables-nft text where nft is missing, per family; an unreadable ruleset is unknown', () => {
    const fw: FirewallReads = {
      main: { tool: 'iptables', text: legacyDrop, text6: null },
      legacy: NO_LEGACY,
    };
    expect(verdicts(fw)).toEqual(['iptables-nft:drop']);
    expect(verdicts(fw, { ...pkt, family: 6 })).toEqual(['iptables-nft:unknown']);
    const broken: FirewallReads = {
      main: nftAccept,
      legacy: { v4: null, v6: null, error: 'iptables-legacy-save: exit 1' },
    };
    expect(judgeFirewalls(broken, 'forward', pkt)[1]).toMatchObject({
      tool: 'iptables-legacy',
      unread: true,
    });
  });
  it('beside nft, the tables iptables-nft manages are judged from its save output (xt matches)', () => {
    const xtRuleset = {
      nftables: [
        ...nftAccept.json.nftables,
        { table: { family: 'ip', name: 'filter' } },
        {
          chain: {
            family: 'ip',
            table: 'filter',
            name: 'FORWARD',
            type: 'filter',
            hook: 'forward',
            prio: 0,
            policy: 'drop',
          },
        },
        {
          rule: {
            family: 'ip',
            table: 'filter',
            chain: 'FORWARD',
            expr: [{ xt: { type: 'match', name: 'conntrack' } }, { accept: null }],
          },
        },
      ],
    };
    const saved =
      '*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\nCOMMIT\n';
    // nft alone cannot tell (the xt match), so the answer would be unknown.
    expect(verdicts({ main: { tool: 'nft', json: xtRuleset }, legacy: NO_LEGACY })).toEqual([
      'nftables:unknown',
    ]);
    const fw: FirewallReads = {
      main: { tool: 'nft', json: xtRuleset, iptables: { text: saved, text6: null } },
      legacy: NO_LEGACY,
    };
    expect(verdicts(fw)).toEqual(['nftables:accept', 'iptables-nft:drop']);
    expect(verdicts(fw, { ...pkt, ctState: 'established' })).toEqual([
      'nftables:accept',
      'iptables-nft:accept',
    ]);
  });
  it('reads the x_tables table lists as grep prints them', () => {
    const out =
      '/proc/net/ip_tables_names:filter\n/proc/net/ip_tables_names:nat\n/proc/net/ip6_tables_names:mangle\n';
    expect(parseNamesGrep(out)).toEqual({ v4: ['filter', 'nat'], v6: ['mangle'] });
    expect(parseNamesGrep('')).toEqual({ v4: [], v6: [] });
  });
});

describe('tables iptables-nft manages', () => {
  it('are named by its save output and left out of the nft evaluation, sets and all', () => {
    const managed = managedTables(
      '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n*nat\nCOMMIT\n',
      '*filter\nCOMMIT\n',
    );
    expect([...managed]).toEqual(['ip/filter', 'ip/nat', 'ip6/filter']);
    const json = {
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { table: { family: 'ip', name: 'filter' } },
        { chain: { family: 'ip', table: 'filter', name: 'FORWARD' } },
        { set: { family: 'ip', table: 'filter', name: 's' } },
        { table: { family: 'inet', name: 'filter' } },
        { chain: { family: 'inet', table: 'filter', name: 'fw' } },
      ],
    };
    expect(withoutTables(json, managed)).toEqual({
      nftables: [json.nftables[0], json.nftables[4], json.nftables[5]],
    });
    expect(hasXt(json)).toBe(false);
    expect(hasXt({ nftables: [{ rule: { expr: [{ xt: { type: 'match', name: 'conntrack' } }] } }] })).toBe(
      true,
    );
  });
});
