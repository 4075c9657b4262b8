/**
 * One history record per line: `SEQ TIME KIND CRC PAYLOAD\n`. The header is plain text so a
 * reader can find a moment by scanning headers without parsing any JSON; the CRC-32 (hex, over
 * `SEQ TIME KIND PAYLOAD`) tells a whole record from one torn by a crash in the middle of a write.
 */
import { crc32 } from 'node:zlib';

/** d: a delta; c: a checkpoint (full model, not a change); s: server start; r: continuity reset. */
export type RecordKind = 'd' | 'c' | 's' | 'r';

export interface RecordHeader {
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  kind: RecordKind;
}

export interface DecodedLine extends RecordHeader {
  payload: string;
}

const KINDS = new Set<string>(['d', 'c', 's', 'r']);
const HEADER = /^(\d{1,15}) (\d{1,15}) ([dcsr]) ([0-9a-f]{8}) /;

function crcHex(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

/** The line (with its newline) for one record; the payload must be JSON (no raw newline). */
export function encodeRecord(h: RecordHeader, payload: string): string {
  if (!KINDS.has(h.kind)) throw new Error(`bad record kind ${h.kind}`);
  const body = `${h.seq} ${h.time} ${h.kind}`;
  return `${body} ${crcHex(`${body} ${payload}`)} ${payload}\n`;
}

/** A line without its newline, or null when the header is malformed or the CRC does not match. */
export function decodeRecord(line: string): DecodedLine | null {
  const m = HEADER.exec(line);
  if (!m) return null;
  const payload = line.slice(m[0].length);
  const body = `${m[1]} ${m[2]} ${m[3]}`;
  if (crcHex(`${body} ${payload}`) !== m[4]) return null;
  return { seq: Number(m[1]), time: Number(m[2]), kind: m[3] as RecordKind, payload };
}

/** The header alone, trusting the CRC checked when the segment was opened. */
export function peekHeader(line: string): RecordHeader | null {
  const m = HEADER.exec(line);
  return m ? { seq: Number(m[1]), time: Number(m[2]), kind: m[3] as RecordKind } : null;
}

export interface ScannedRecord extends RecordHeader {
  /** Byte offset of the line in the segment and its length including the newline. */
  offset: number;
  length: number;
}

/**
 * The whole records at the start of `buf`, in order, and the byte length they cover: scanning
 * stops at the first line that is torn (no newline), malformed, out of order or fails its CRC.
 */
export function scanRecords(buf: Buffer, afterSeq = 0): { records: ScannedRecord[]; validBytes: number } {
  const records: ScannedRecord[] = [];
  let offset = 0;
  let last = afterSeq;
  while (offset < buf.length) {
    const nl = buf.indexOf(10, offset);
    if (nl < 0) break;
    const rec = decodeRecord(buf.toString('utf8', offset, nl));
    if (!rec || rec.seq <= last) break;
    records.push({ seq: rec.seq, time: rec.time, kind: rec.kind, offset, length: nl + 1 - offset });
    last = rec.seq;
    offset = nl + 1;
  }
  return { records, validBytes: offset };
}
