/**
 * `meta mark` matches decided from the trace's mark (recorded `nft -j list ruleset` of a chain
 * with `meta mark 7 drop` and `meta mark and 0xff == 0x8 drop`); a ruleset that sets the mark
 * (`meta mark set`) leaves it unknown.
 */
import { describe, expect, it } from 'vitest';
import type { PacketView } from './nft.js';
import { evaluateNft } from './nft.js';

const chain = {
  family: 'inet',
  table: 't',
  name: 'o',
  handle: 1,
  type: 'filter',
  hook: 'output',
  prio: 0,
  policy: 'accept',
};
const rule = (handle: number, expr: unknown[]) => ({
  rule: { family: 'inet', table: 't', chain: 'o', handle, expr },
});
const markIs7 = rule(2, [{ match: { op: '==', left: { meta: { key: 'mark' } }, right: 7 } }, { drop: null }]);
const lowByteIs8 = rule(3, [
  { match: { op: '==', left: { '&': [{ meta: { key: 'mark' } }, 255] }, right: 8 } },
  { drop: null },
]);
const setsMark = rule(4, [{ mangle: { key: { meta: { key: 'mark' } }, value: 3 } }]);
const ruleset = (...rules: unknown[]) => ({
  nftables: [{ table: { family: 'inet', name: 't', handle: 1 } }, { chain }, ...rules],
});

const packet = (mark: number | null | undefined): PacketView => ({
  family: 4,
  saddr: '10.0.0.1',
  daddr: '10.0.0.2',
  protocol: 'icmp',
  sport: null,
  dport: null,
  icmpType: 'echo-request',
  iifname: null,
  oifname: 'e0',
  ctState: 'new',
  mark,
});

describe('nft meta mark', () => {
  const rs = ruleset(markIs7, lowByteIs8);
  it('drops the marked packet and passes the others', () => {
    expect(evaluateNft(rs, 'output', packet(7))).toMatchObject({
      verdict: 'drop',
      detail: expect.stringContaining('meta mark 7') as unknown,
    });
    expect(evaluateNft(rs, 'output', packet(0x308)).verdict).toBe('drop');
    expect(evaluateNft(rs, 'output', packet(0)).verdict).toBe('accept');
    expect(evaluateNft(rs, 'output', packet(0x307)).verdict).toBe('accept');
  });
  it('says unknown where the mark is not known', () => {
    expect(evaluateNft(rs, 'output', packet(undefined)).verdict).toBe('unknown');
    expect(evaluateNft(ruleset(markIs7, setsMark), 'output', packet(0)).verdict).toBe('unknown');
  });
});

describe('iptables-nft comments', () => {
  it('an xt comment match always matches (CNI chains jump through them)', () => {
    const jump = rule(5, [
      { xt: { type: 'match', name: 'comment' } },
      { counter: { packets: 1, bytes: 84 } },
      { jump: { target: 'sub' } },
    ]);
    const sub = { chain: { family: 'inet', table: 't', name: 'sub', handle: 2 } };
    const dropAll = { rule: { family: 'inet', table: 't', chain: 'sub', handle: 6, expr: [{ drop: null }] } };
    expect(evaluateNft(ruleset(jump, sub, dropAll), 'output', packet(0)).verdict).toBe('drop');
    expect(evaluateNft(ruleset(jump, sub), 'output', packet(0)).verdict).toBe('accept');
  });
});
