/**
 * One-line summaries of a capture recorded on a veth (ARP, ICMP, TCP handshake and teardown, a
 * DNS query, ICMPv6), checked against what `tcpdump -r` prints for the same file, plus hand-built
 * frames of the other link types and truncated packets.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePacket, dnsSummary, ipv6 } from './decode.js';
import { PcapStreamReader } from './pcapReader.js';

const records = new PcapStreamReader().push(
  readFileSync(new URL('./__fixtures__/mixed.pcap', import.meta.url)),
);

describe('decodePacket', () => {
  it('summarises a recorded capture the way tcpdump reads it', () => {
    const lines = records.map((r) => {
      const d = decodePacket(1, r.data);
      return `${d.protocol} ${d.src} > ${d.dst}: ${d.summary}`;
    });
    expect(lines).toEqual([
      'ARP 10.77.0.1 > 10.77.0.2: who-has 10.77.0.2 tell 10.77.0.1',
      'ARP 10.77.0.2 > 10.77.0.1: 10.77.0.2 is-at 26:33:a8:65:35:28',
      'ICMP 10.77.0.1 > 10.77.0.2: echo request id 10213 seq 0, length 64',
      'ICMP 10.77.0.2 > 10.77.0.1: echo reply id 10213 seq 0, length 64',
      'TCP 10.77.0.1 > 10.77.0.2: 35182 > 8080 [S] seq 4105915342, len 0',
      'TCP 10.77.0.2 > 10.77.0.1: 8080 > 35182 [S.] seq 146270098, len 0',
      'TCP 10.77.0.1 > 10.77.0.2: 35182 > 8080 [.] seq 4105915343, len 0',
      'TCP 10.77.0.1 > 10.77.0.2: 35182 > 8080 [P.] seq 4105915343, len 6',
      'TCP 10.77.0.2 > 10.77.0.1: 8080 > 35182 [.] seq 146270099, len 0',
      'TCP 10.77.0.1 > 10.77.0.2: 35182 > 8080 [F.] seq 4105915349, len 0',
      'TCP 10.77.0.2 > 10.77.0.1: 8080 > 35182 [F.] seq 146270099, len 0',
      'TCP 10.77.0.1 > 10.77.0.2: 35182 > 8080 [.] seq 4105915350, len 0',
      'DNS 10.77.0.1 > 10.77.0.2: 59723 > 53 query A? example.test',
      'ICMP 10.77.0.2 > 10.77.0.1: destination unreachable (port)',
      'ICMPv6 fe80::d49d:81ff:fe66:e840 > ff02::2: router solicitation',
      'ICMPv6 fe80::2433:a8ff:fe65:3528 > ff02::2: router solicitation',
      'ARP 10.77.0.2 > 10.77.0.1: who-has 10.77.0.1 tell 10.77.0.2',
      'ARP 10.77.0.1 > 10.77.0.2: 10.77.0.1 is-at d6:9d:81:66:e8:40',
    ]);
  });

  it('reads the same IP packet behind Linux cooked v1/v2 headers, raw IP and a VLAN tag', () => {
    const eth = records[2]!.data; // ICMP echo request
    const ip = eth.subarray(14);
    const sll = Buffer.concat([Buffer.alloc(14), Buffer.from([0x08, 0x00]), ip]);
    const sll2 = Buffer.concat([Buffer.from([0x08, 0x00]), Buffer.alloc(18), ip]);
    const vlan = Buffer.concat([
      eth.subarray(0, 12),
      Buffer.from([0x81, 0x00, 0x00, 0x05]),
      eth.subarray(12),
    ]);
    const want = decodePacket(1, eth);
    expect(want.summary).toBe('echo request id 10213 seq 0, length 64');
    expect(decodePacket(113, sll)).toEqual(want);
    expect(decodePacket(276, sll2)).toEqual(want);
    expect(decodePacket(101, ip)).toEqual(want);
    expect(decodePacket(1, vlan)).toEqual(want);
  });

  it('names what it does not decode', () => {
    const lldp = Buffer.concat([Buffer.alloc(12), Buffer.from([0x88, 0xcc]), Buffer.alloc(20)]);
    expect(decodePacket(1, lldp)).toMatchObject({ protocol: 'ethertype 0x88cc' });
    expect(decodePacket(147, Buffer.alloc(10))).toMatchObject({ protocol: 'linktype 147' });
  });

  it('never throws on truncated or random frames', () => {
    for (const r of records) {
      for (let n = 0; n < r.data.length; n += 3) {
        const d = decodePacket(1, r.data.subarray(0, n));
        expect(typeof d.summary).toBe('string');
      }
    }
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 101, 113, 276), fc.uint8Array({ maxLength: 120 }), (lt, bytes) => {
        expect(typeof decodePacket(lt, Buffer.from(bytes)).protocol).toBe('string');
      }),
    );
  });
});

describe('helpers', () => {
  it('writes IPv6 addresses in RFC 5952 form', () => {
    const a = (hex: string): string => ipv6(Buffer.from(hex, 'hex'), 0);
    expect(a('20010db8000000000000000000000001')).toBe('2001:db8::1');
    expect(a('00000000000000000000000000000000')).toBe('::');
    expect(a('20010db8000000010000000000000000')).toBe('2001:db8:0:1::');
    expect(a('20010db8000100000001000000000001')).toBe('2001:db8:1:0:1::1');
    expect(a('20010db8000100020003000400050006')).toBe('2001:db8:1:2:3:4:5:6');
  });

  it('reads a DNS response and keeps odd names printable', () => {
    // Header (id, flags QR|RD|RA, one question), then the name "a\x01b", type A, class IN.
    const msg = Buffer.from('123481800001000000000000' + '0361016200' + '00010001', 'hex');
    expect(dnsSummary(msg, 0)).toBe('response A? a?b');
    expect(dnsSummary(Buffer.alloc(5), 0)).toBeNull();
  });
});
