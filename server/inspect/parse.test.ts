import { describe, expect, it } from 'vitest';
import { countIptablesRules, countNftRules, parseSs } from './parse.js';

describe('parseSs', () => {
  it('reads tcp and udp listeners with and without owners', () => {
    const out = [
      'tcp   LISTEN 0      511          0.0.0.0:80        0.0.0.0:*    users:(("nginx",pid=42,fd=6),("nginx",pid=41,fd=6))',
      'udp   UNCONN 0      0      127.0.0.53%lo:53        0.0.0.0:*    users:(("systemd-resolve",pid=7,fd=13))',
      'tcp   LISTEN 0      4096            [::]:22           [::]:*',
      '',
    ].join('\n');
    expect(parseSs(out)).toEqual([
      { proto: 'tcp', state: 'LISTEN', local: '0.0.0.0', port: 80, process: 'nginx', pid: 42 },
      { proto: 'udp', state: 'UNCONN', local: '127.0.0.53%lo', port: 53, process: 'systemd-resolve', pid: 7 },
      { proto: 'tcp', state: 'LISTEN', local: '[::]', port: 22, process: null, pid: null },
    ]);
  });
  it('returns nothing for empty output', () => {
    expect(parseSs('')).toEqual([]);
  });
});

describe('rule counts', () => {
  it('counts nft rules and iptables -A lines', () => {
    expect(countNftRules({ nftables: [{ metainfo: {} }, { table: {} }, { rule: {} }, { rule: {} }] })).toBe(
      2,
    );
    expect(countNftRules(null)).toBe(0);
    expect(countIptablesRules('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n')).toBe(1);
  });
});
