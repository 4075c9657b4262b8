/**
 * The pcapng writer: block layout checked field by field, and the file read back by tcpdump
 * itself (`tcpdump -r`), which must list every packet with its original timestamp.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapngFile, interfaceBlock, packetBlock } from './pcapng.js';
import { PcapStreamReader } from './pcapReader.js';

const records = new PcapStreamReader().push(
  readFileSync(new URL('./__fixtures__/mixed.pcap', import.meta.url)),
);

interface Block {
  type: number;
  body: Buffer;
}

/** Splits a pcapng file into blocks, checking that both length fields agree. */
function blocks(file: Buffer): Block[] {
  const out: Block[] = [];
  for (let off = 0; off < file.length;) {
    const len = file.readUInt32LE(off + 4);
    expect(len % 4).toBe(0);
    expect(file.readUInt32LE(off + len - 4)).toBe(len);
    out.push({ type: file.readUInt32LE(off), body: file.subarray(off + 8, off + len - 4) });
    off += len;
  }
  return out;
}

function interfaceName(body: Buffer): string {
  for (let p = 8; p < body.length;) {
    const code = body.readUInt16LE(p);
    const len = body.readUInt16LE(p + 2);
    if (code === 2) return body.toString('utf8', p + 4, p + 4 + len);
    p += 4 + ((len + 3) & ~3);
  }
  return '';
}

describe('pcapng', () => {
  it('writes a section header, one interface block per interface, then the packets', () => {
    const f = new PcapngFile('netns-explorer test', [
      { linktype: 1, snaplen: 262144, name: 'red/veth0' },
      { linktype: 1, snaplen: 262144, name: 'blue/veth1' },
    ]);
    records.forEach((r, i) => f.addPacket(i % 2, r.tsUs, r.origLen, r.data));
    const file = Buffer.concat(f.contents());
    expect(file.length).toBe(f.size);
    const bs = blocks(file);
    expect(bs.map((b) => b.type)).toEqual([0x0a0d0d0a, 1, 1, ...records.map(() => 6)]);
    expect(bs[0]!.body.readUInt32LE(0)).toBe(0x1a2b3c4d);
    expect(interfaceName(bs[1]!.body)).toBe('red/veth0');
    expect(interfaceName(bs[2]!.body)).toBe('blue/veth1');
    const epb = bs[4]!.body;
    expect(epb.readUInt32LE(0)).toBe(1);
    expect(epb.readUInt32LE(4) * 2 ** 32 + epb.readUInt32LE(8)).toBe(records[1]!.tsUs);
    expect(epb.readUInt32LE(12)).toBe(records[1]!.data.length);
    expect(epb.subarray(20, 20 + records[1]!.data.length)).toEqual(records[1]!.data);
  });

  it('predicts its size after a packet (the byte limit relies on it)', () => {
    const f = new PcapngFile('t', [{ linktype: 1, snaplen: 65535, name: 'a/b' }]);
    for (const len of [0, 1, 2, 3, 4, 5, 60]) {
      const expected = f.sizeWith(len);
      f.addPacket(0, 1, len, Buffer.alloc(len));
      expect(f.size).toBe(expected);
    }
    expect(interfaceBlock({ linktype: 1, snaplen: 1, name: 'abc' }).length % 4).toBe(0);
    expect(packetBlock(0, 0, 3, Buffer.alloc(3)).length).toBe(12 + 20 + 4);
  });

  it('is read back by tcpdump -r with every packet and its timestamp', () => {
    const f = new PcapngFile('netns-explorer test', [
      { linktype: 1, snaplen: 262144, name: 'red/veth0' },
      { linktype: 1, snaplen: 262144, name: 'blue/veth1' },
    ]);
    records.forEach((r, i) => f.addPacket(i % 2, r.tsUs, r.origLen, r.data));
    const dir = mkdtempSync(join(tmpdir(), 'pcapng-test-'));
    try {
      const ng = join(dir, 'out.pcapng');
      writeFileSync(ng, Buffer.concat(f.contents()));
      const read = (p: string): string[] =>
        execFileSync('/usr/bin/tcpdump', ['-r', p, '-n', '-tt'], { stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .trim()
          .split('\n');
      const fromNg = read(ng);
      expect(fromNg).toHaveLength(records.length);
      // The same lines tcpdump prints for the original pcap.
      expect(fromNg).toEqual(read(new URL('./__fixtures__/mixed.pcap', import.meta.url).pathname));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
