/**
 * The trace against the real kernel where iptables filters: a legacy (x_tables) rule beside an
 * nftables table that accepts (both must accept), a legacy rule the trace cannot decide, and
 * iptables-nft rules read both through `nft -j` and, as where `nft` is not installed, through
 * `iptables-save`. Rules live only in this test's namespaces (deleting them deletes the rules).
 * The probe must agree wherever the trace decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../test/kernel.js';
import { FirewallCache } from './firewallCache.js';
import { findFirewallTools } from './legacy.js';
import { nativeTraceReader } from './nativeReader.js';
import { kernelReader } from './reader.js';
import { Scene, shape } from './testing/traceTestKit.js';

const scene = new Scene(uniquePrefix('ti'));
const all = ['la', 'lr', 'lb', 'ua', 'ur', 'ub', 'na', 'nr', 'nb'];
const LEGACY = '/usr/sbin/iptables-legacy';
const IPT_NFT = '/usr/sbin/iptables-nft';

beforeAll(async () => {
  await scene.add(...all);
  for (const [a, r, b, net] of [
    ['la', 'lr', 'lb', 71],
    ['ua', 'ur', 'ub', 72],
    ['na', 'nr', 'nb', 73],
  ] as const) {
    await scene.routed(a, r, b, net);
  }
  // Legacy drops TCP 80 while nftables accepts it explicitly: the packet is dropped.
  await scene.listen('lb', 80);
  await scene.run('lr', `${LEGACY} -A FORWARD -d 10.71.2.0/24 -p tcp --dport 80 -j DROP`);
  await scene.run(
    'lr',
    `nft 'add table inet ok; add chain inet ok fw { type filter hook forward priority 0; policy accept; }; add rule inet ok fw tcp dport 80 accept'`,
  );
  // A legacy match the trace does not model (packet length; a ping is 84 bytes, so it passes).
  await scene.run('ur', `${LEGACY} -A FORWARD -m length --length 1:20 -j DROP`);
  // iptables-nft: FORWARD drops by policy; replies (a conntrack match, opaque to nft -j) and ICMP
  // accepted.
  await scene.listen('nb', 80);
  await scene.run('nr', `${IPT_NFT} -P FORWARD DROP`);
  await scene.run('nr', `${IPT_NFT} -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  await scene.run('nr', `${IPT_NFT} -A FORWARD -p icmp -j ACCEPT`);
  await scene.discover();
}, 300_000);

afterAll(async () => {
  await scene.cleanup();
});

const tablesIn = async (short: string) =>
  (await scene.run(short, 'cat /proc/net/ip_tables_names /proc/net/ip6_tables_names')).trim();

describe('trace against the kernel: iptables', () => {
  it('a legacy DROP beside an nftables accept: the legacy rule decides, the probe agrees', async () => {
    const t = await scene.trace({
      from: scene.id('la'),
      to: '10.71.2.1',
      protocol: 'tcp',
      port: 80,
      probe: true,
    });
    expect(shape(scene, t.hops, all)).toEqual(['route@la', 'veth@lr', 'route@lr', 'drop@lr!']);
    expect(t.verdict).toBe('unreachable');
    expect(t.hops[3]!.reason).toBe(
      'iptables-legacy forward chain drops it: table filter chain FORWARD: -d 10.71.2.0/24 -p tcp -m tcp --dport 80 -j DROP',
    );
    expect(t.hops[3]!.command).toBe('iptables-legacy-save');
    expect(t.probe!.ok).toBe(false);
    expect(t.disagreement).toBeNull();
    // The rule is about TCP 80 only.
    const ping = await scene.trace({ from: scene.id('la'), to: '10.71.2.1', protocol: 'icmp', probe: true });
    expect(ping.verdict).toBe('reachable');
    expect(ping.probe!.ok).toBe(true);
    // Reading made no table where there was none (the router has its filter table only).
    expect(await tablesIn('la')).toBe('');
    expect(await tablesIn('lb')).toBe('');
    expect(await tablesIn('lr')).toBe('filter');
  });

  it('a legacy rule it cannot decide makes the hop unknown, naming the rule', async () => {
    const t = await scene.trace({ from: scene.id('ua'), to: '10.72.2.1', protocol: 'icmp', probe: true });
    expect(shape(scene, t.hops, all)).toEqual(['route@ua', 'veth@ur', 'route@ur', 'drop@ur!']);
    expect(t.verdict).toBe('unknown');
    expect(t.hops[3]!.unknown).toBe(true);
    expect(t.hops[3]!.reason).toContain(
      'cannot tell statically whether iptables-legacy forward lets it through: table filter chain FORWARD: -m length --length 1:20 -j DROP',
    );
    expect(t.hops[3]!.reason).toMatch(/otherwise table filter chain FORWARD: policy ACCEPT$/);
    // The probe got through; an unknown prediction never disagrees.
    expect(t.probe!.ok).toBe(true);
    expect(t.disagreement).toBeNull();
  });

  it('iptables-nft: ACCEPT rules under a DROP policy, with nft installed and without', async () => {
    const ping = await scene.trace({ from: scene.id('na'), to: '10.73.2.1', protocol: 'icmp', probe: true });
    expect(ping.verdict).toBe('reachable');
    expect(ping.probe!.ok).toBe(true);
    const tcp = await scene.trace({
      from: scene.id('na'),
      to: '10.73.2.1',
      protocol: 'tcp',
      port: 80,
      probe: true,
    });
    expect(shape(scene, tcp.hops, all)).toEqual(['route@na', 'veth@nr', 'route@nr', 'drop@nr!']);
    expect(tcp.verdict).toBe('unreachable');
    // nft -j shows the conntrack match as an opaque xt expression: iptables-nft-save decides it.
    expect(tcp.hops[3]!.reason).toBe(
      'iptables-nft forward chain drops it: table filter chain FORWARD: policy DROP',
    );
    expect(tcp.hops[3]!.command).toBe('iptables-nft-save');
    expect(tcp.probe!.ok).toBe(false);
    expect(tcp.disagreement).toBeNull();
    // Without `nft`: iptables-nft's save output alone, the same answer.
    const tools = { ...findFirewallTools(), nft: null };
    expect(tools.nftSave).not.toBeNull();
    for (const reader of [kernelReader(tools), nativeTraceReader({ tools, cache: new FirewallCache() })]) {
      const p = await scene.traceWith(reader, { from: scene.id('na'), to: '10.73.2.1', protocol: 'icmp' });
      expect(p.verdict).toBe('reachable');
      const t = await scene.traceWith(reader, {
        from: scene.id('na'),
        to: '10.73.2.1',
        protocol: 'tcp',
        port: 80,
      });
      expect(shape(scene, t.hops, all)).toEqual(['route@na', 'veth@nr', 'route@nr', 'drop@nr!']);
      expect(t.hops[3]!.reason).toBe(
        'iptables-nft forward chain drops it: table filter chain FORWARD: policy DROP',
      );
      expect(t.hops[3]!.command).toBe('iptables-nft-save');
    }
  });
});
