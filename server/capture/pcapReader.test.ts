/**
 * The pcap stream reader over files recorded with `tcpdump -w - -U` on a veth, fed whole and in
 * arbitrary pieces (a pipe delivers whatever sizes it likes).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PcapFormatError, PcapStreamReader } from './pcapReader.js';

const mixed = readFileSync(new URL('./__fixtures__/mixed.pcap', import.meta.url));
const ping = readFileSync(new URL('./__fixtures__/ping.pcap', import.meta.url));

describe('PcapStreamReader', () => {
  it('reads the header and every record of a recorded capture', () => {
    const r = new PcapStreamReader();
    const records = r.push(mixed);
    expect(r.header).toEqual({ linktype: 1, snaplen: 262144, nanos: false });
    // tcpdump -r of the same file lists 18: ARP x2, ICMP x2, TCP x8, DNS, ICMP, RS x2, ARP x2.
    expect(records).toHaveLength(18);
    expect(records[0]!.data.length).toBe(42);
    expect(records[0]!.origLen).toBe(42);
    // 04:22:02.320693 UTC on 2026-12-04 (the time tcpdump -r prints).
    expect(new Date(records[0]!.tsUs / 1000).toISOString()).toBe('2026-12-04T04:22:02.320Z');
    expect(records[0]!.tsUs % 1_000_000).toBe(320693);
    for (let i = 1; i < records.length; i++)
      expect(records[i]!.tsUs).toBeGreaterThanOrEqual(records[i - 1]!.tsUs);
    expect(r.buffered).toBe(0);
  });

  it('waits for a whole header, then for whole records', () => {
    const r = new PcapStreamReader();
    expect(r.push(ping.subarray(0, 10))).toEqual([]);
    expect(r.header).toBeNull();
    // Header plus most of the first record (16-byte record header + 98-byte frame).
    expect(r.push(ping.subarray(10, 24 + 100))).toEqual([]);
    expect(r.header?.linktype).toBe(1);
    expect(r.buffered).toBe(100);
    expect(r.push(ping.subarray(124))).toHaveLength(4);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const whole = new PcapStreamReader().push(mixed);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: mixed.length }), { maxLength: 30 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const r = new PcapStreamReader();
        const got = [];
        let prev = 0;
        for (const p of [...points, mixed.length]) {
          got.push(...r.push(mixed.subarray(prev, p)));
          prev = p;
        }
        expect(got).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('reads big-endian and nanosecond files', () => {
    const head = Buffer.alloc(24);
    head.writeUInt32BE(0xa1b23c4d, 0);
    head.writeUInt16BE(2, 4);
    head.writeUInt16BE(4, 6);
    head.writeUInt32BE(65535, 16);
    head.writeUInt32BE(101, 20);
    const rec = Buffer.alloc(16 + 3);
    rec.writeUInt32BE(10, 0);
    rec.writeUInt32BE(123_456_789, 4);
    rec.writeUInt32BE(3, 8);
    rec.writeUInt32BE(1500, 12);
    rec.write('abc', 16);
    const r = new PcapStreamReader();
    const [one] = r.push(Buffer.concat([head, rec]));
    expect(r.header).toEqual({ linktype: 101, snaplen: 65535, nanos: true });
    expect(one).toEqual({ tsUs: 10_123_456, origLen: 1500, data: Buffer.from('abc') });
  });

  it('refuses what is not pcap, and absurd record sizes', () => {
    expect(() => new PcapStreamReader().push(Buffer.alloc(24, 7))).toThrow(PcapFormatError);
    const bad = Buffer.concat([mixed.subarray(0, 24), Buffer.alloc(16, 0xff)]);
    expect(() => new PcapStreamReader().push(bad)).toThrow(/corrupt/);
  });
});
