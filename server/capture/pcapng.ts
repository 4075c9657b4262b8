/**
 * A pcapng writer (little-endian): one section header, one interface description block per
 * captured interface (named `namespace/interface`, so Wireshark and `tcpdump -r` can tell the
 * interfaces apart), then enhanced packet blocks. Blocks are kept as a list of buffers so that a
 * download can be served while the capture still runs.
 */

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const SHB_USERAPPL = 4;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** One option: code, length, value padded to 32 bits. */
function option(code: number, value: Buffer): Buffer {
  const b = Buffer.alloc(4 + pad4(value.length));
  b.writeUInt16LE(code, 0);
  b.writeUInt16LE(value.length, 2);
  value.copy(b, 4);
  return b;
}

function options(list: Buffer[]): Buffer {
  if (list.length === 0) return Buffer.alloc(0);
  return Buffer.concat([...list, option(OPT_END, Buffer.alloc(0))]);
}

/** type, total length, body, total length again. */
function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

export function sectionHeaderBlock(application: string): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  head.writeUInt16LE(1, 4); // major
  head.writeUInt16LE(0, 6); // minor
  // Section length unknown: -1 as a 64-bit value.
  head.writeInt32LE(-1, 8);
  head.writeInt32LE(-1, 12);
  return block(SHB, Buffer.concat([head, options([option(SHB_USERAPPL, Buffer.from(application))])]));
}

export interface PcapngInterface {
  linktype: number;
  snaplen: number;
  name: string;
  description?: string;
}

/** Timestamps are written in microseconds (if_tsresol 6, the default, stated for clarity). */
export function interfaceBlock(i: PcapngInterface): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(i.linktype, 0);
  head.writeUInt16LE(0, 2);
  head.writeUInt32LE(i.snaplen, 4);
  const opts = [option(IF_NAME, Buffer.from(i.name)), option(IF_TSRESOL, Buffer.from([6]))];
  if (i.description) opts.push(option(IF_DESCRIPTION, Buffer.from(i.description)));
  return block(IDB, Buffer.concat([head, options(opts)]));
}

export function packetBlock(ifIndex: number, tsUs: number, origLen: number, data: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt32LE(ifIndex, 0);
  // 64-bit timestamp split in high and low words (a double holds microseconds exactly).
  head.writeUInt32LE(Math.floor(tsUs / 2 ** 32), 4);
  head.writeUInt32LE(tsUs % 2 ** 32, 8);
  head.writeUInt32LE(data.length, 12);
  head.writeUInt32LE(origLen, 16);
  const padded = Buffer.alloc(pad4(data.length));
  data.copy(padded, 0);
  return block(EPB, Buffer.concat([head, padded]));
}

/** The file as it grows: header blocks first, then packets; `size` counts every byte. */
export class PcapngFile {
  private readonly blocks: Buffer[] = [];
  size = 0;

  constructor(application: string, interfaces: readonly PcapngInterface[]) {
    this.append(sectionHeaderBlock(application));
    for (const i of interfaces) this.append(interfaceBlock(i));
  }

  /** Size the file would have after adding this packet (for the byte limit). */
  sizeWith(dataLength: number): number {
    return this.size + 12 + 20 + pad4(dataLength);
  }

  addPacket(ifIndex: number, tsUs: number, origLen: number, data: Buffer): void {
    this.append(packetBlock(ifIndex, tsUs, origLen, data));
  }

  /** The blocks written so far (a snapshot: later packets do not change it). */
  contents(): Buffer[] {
    return this.blocks.slice();
  }

  private append(b: Buffer): void {
    this.blocks.push(b);
    this.size += b.length;
  }
}
