/**
 * Incremental reader of the classic pcap format (what `tcpdump -w -` writes): a 24-byte file
 * header, then per packet a 16-byte record header and the captured bytes. Chunks from a pipe are
 * pushed in as they come; a record split across chunks is completed by the next push.
 *
 * Written here rather than taken from npm: the packages found are unmaintained, untyped, or bind
 * libpcap natively, and the format is small.
 */

export interface PcapHeader {
  /** DLT/LINKTYPE of the interface (1 Ethernet, 113 Linux cooked, 276 Linux cooked v2, 101 raw IP). */
  linktype: number;
  snaplen: number;
  /** True when record timestamps carry nanoseconds instead of microseconds. */
  nanos: boolean;
}

export interface PcapRecord {
  /** Microseconds since the epoch (a double holds these exactly until the year 2255). */
  tsUs: number;
  /** Length of the packet on the wire (the record may be cut to the snap length). */
  origLen: number;
  data: Buffer;
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
/** Larger records than this mean a corrupt stream (tcpdump's snap length is 262144). */
const MAX_RECORD = 1 << 20;

export class PcapFormatError extends Error {}

export class PcapStreamReader {
  header: PcapHeader | null = null;
  private littleEndian = true;
  private pending: Buffer = Buffer.alloc(0);

  /** Appends a chunk and returns the records it completed. Throws PcapFormatError on garbage. */
  push(chunk: Buffer): PcapRecord[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let buf = this.pending;
    let off = 0;
    if (!this.header) {
      if (buf.length < 24) return [];
      this.header = this.readHeader(buf);
      off = 24;
    }
    const out: PcapRecord[] = [];
    const nanos = this.header.nanos;
    while (buf.length - off >= 16) {
      const sec = this.u32(buf, off);
      const frac = this.u32(buf, off + 4);
      const inclLen = this.u32(buf, off + 8);
      const origLen = this.u32(buf, off + 12);
      if (inclLen > MAX_RECORD) throw new PcapFormatError(`pcap record of ${inclLen} bytes: corrupt stream`);
      if (buf.length - off - 16 < inclLen) break;
      const start = off + 16;
      // A copy: the pending buffer is released, and the pcapng writer keeps packets.
      const data = Buffer.from(buf.subarray(start, start + inclLen));
      out.push({ tsUs: sec * 1_000_000 + (nanos ? Math.floor(frac / 1000) : frac), origLen, data });
      off = start + inclLen;
    }
    buf = buf.subarray(off);
    this.pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
    return out;
  }

  /** Bytes received but not yet part of a complete record. */
  get buffered(): number {
    return this.pending.length;
  }

  private readHeader(buf: Buffer): PcapHeader {
    const le = buf.readUInt32LE(0);
    const be = buf.readUInt32BE(0);
    let nanos: boolean;
    if (le === MAGIC_US || le === MAGIC_NS) {
      this.littleEndian = true;
      nanos = le === MAGIC_NS;
    } else if (be === MAGIC_US || be === MAGIC_NS) {
      this.littleEndian = false;
      nanos = be === MAGIC_NS;
    } else {
      throw new PcapFormatError(`not a pcap stream (magic 0x${le.toString(16)})`);
    }
    const snaplen = this.u32(buf, 16);
    // The top bits of the link-type word may carry FCS information; the type is the low 28 bits.
    const linktype = this.u32(buf, 20) & 0x0fffffff;
    return { linktype, snaplen, nanos };
  }

  private u32(buf: Buffer, off: number): number {
    return this.littleEndian ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
  }
}
