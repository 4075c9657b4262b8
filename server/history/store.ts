/**
 * The history store: an append-only log in segment files (`seg-<first seq>.log`), each beginning
 * with a full model so any segment can be read without the ones before it (the oldest are dropped
 * to keep under the size cap). Chosen over an embedded database because it needs no native build,
 * a record is one `write`, and crash safety is simple to reason about: a crash can only tear the
 * last line of the last segment, which `open` detects (CRC, missing newline) and cuts off.
 * Writes are synchronous appends (in the page cache at once, so a killed process loses nothing);
 * fdatasync runs at most `fsyncMs` later, bounding what a power cut loses.
 */
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { decodeRecord, encodeRecord, scanRecords } from './format.js';
import { compressSegment, GZ, isLeftover, readSegment, syncDir } from './segmentFile.js';
import type { DecodedLine, RecordKind, ScannedRecord } from './format.js';

export interface HistoryStoreOptions {
  dir: string;
  /** Total size cap; the oldest segments are dropped first. */
  maxBytes: number;
  /** A new segment starts once the current one reaches this size (default: maxBytes / 10, 64 KiB..4 MiB). */
  segmentBytes?: number;
  fsyncMs?: number;
  log?: (line: string) => void;
}

export interface Segment {
  path: string;
  records: ScannedRecord[];
  /** Uncompressed length (record offsets are into this). */
  bytes: number;
  /** Size on disk (gzipped once sealed). */
  diskBytes: number;
  compressed: boolean;
}

const SEGMENT = /^seg-(\d{15})\.log(\.gz)?$/;
const LOCK = 'LOCK';

function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(15, '0')}.log`;
}

function isFullModel(kind: RecordKind): boolean {
  return kind !== 'd';
}

/** Takes the directory's lock file, refusing when another live process holds it. */
function takeLock(dir: string): void {
  const path = join(dir, LOCK);
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new Error(`history directory ${dir} is in use by process ${pid}`);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  writeFileSync(path, `${process.pid}\n`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class HistoryStore {
  readonly segments: Segment[] = [];
  private fd: number | null = null;
  private dirty = false;
  private lastSeq = 0;
  private lastTime = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly segmentBytes: number;
  private readonly log: (line: string) => void;

  private constructor(private readonly opts: HistoryStoreOptions) {
    this.segmentBytes =
      opts.segmentBytes ?? Math.min(4 * 1024 * 1024, Math.max(64 * 1024, Math.floor(opts.maxBytes / 10)));
    this.log = opts.log ?? (() => {});
  }

  /** Opens (creating) the directory, cuts a torn tail, and gets ready to append. */
  static open(opts: HistoryStoreOptions): HistoryStore {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    takeLock(opts.dir);
    const store = new HistoryStore(opts);
    store.load();
    store.timer = setInterval(() => store.flush(), opts.fsyncMs ?? 1000);
    store.timer.unref();
    return store;
  }

  private load(): void {
    const all = readdirSync(this.opts.dir);
    for (const n of all.filter(isLeftover)) unlinkSync(join(this.opts.dir, n));
    // Both copies of a segment: the compressed one was renamed into place whole; the original goes.
    for (const n of all.filter((x) => SEGMENT.test(x) && !x.endsWith(GZ) && all.includes(`${x}${GZ}`))) {
      unlinkSync(join(this.opts.dir, n));
    }
    const names = readdirSync(this.opts.dir)
      .filter((n) => SEGMENT.test(n))
      .sort();
    for (const [i, name] of names.entries()) {
      const path = join(this.opts.dir, name);
      const compressed = name.endsWith(GZ);
      const buf = readSegment(path) ?? Buffer.alloc(0);
      const { records, validBytes } = scanRecords(buf, this.lastSeq);
      const last = i === names.length - 1;
      if (records.length === 0 || !isFullModel(records[0]!.kind)) {
        // Torn before its first model was whole (a crash right after rotating): nothing to keep.
        this.log(`history: dropping unusable segment ${name}`);
        unlinkSync(path);
        continue;
      }
      if (validBytes < buf.length) {
        this.log(`history: ${name}: cut ${buf.length - validBytes} bytes of a torn or corrupt tail`);
        if (last && !compressed) {
          const fd = openSync(path, 'r+');
          ftruncateSync(fd, validBytes);
          fsyncSync(fd);
          closeSync(fd);
        }
      }
      const diskBytes = compressed ? statSync(path).size : validBytes;
      this.segments.push({ path, records, bytes: validBytes, diskBytes, compressed });
      const tail = records[records.length - 1]!;
      this.lastSeq = tail.seq;
      this.lastTime = tail.time;
    }
    const active = this.segments[this.segments.length - 1];
    if (active && !active.compressed) this.fd = openSync(active.path, 'a');
  }

  get totalBytes(): number {
    return this.segments.reduce((n, s) => n + s.diskBytes, 0);
  }
  get empty(): boolean {
    return this.segments.length === 0;
  }
  /** Whether the next model record should start a new segment. */
  get wantsRotation(): boolean {
    const active = this.segments[this.segments.length - 1];
    return !active || active.compressed || active.bytes >= this.segmentBytes;
  }

  /**
   * Appends one record and returns its sequence number. A full model (`kind` c/s/r) may start a
   * new segment; a delta always goes to the current one (there must be one).
   */
  append(kind: RecordKind, time: number, payload: string, newSegment = false): number {
    // Time never goes backwards in the log (a clock step would break lookups by time).
    const t = Math.max(Math.round(time), this.lastTime);
    const seq = this.lastSeq + 1;
    if (newSegment || this.fd === null) {
      if (!isFullModel(kind)) throw new Error('a history segment must begin with a full model');
      this.startSegment(seq);
    }
    const line = Buffer.from(encodeRecord({ seq, time: t, kind }, payload), 'utf8');
    const active = this.segments[this.segments.length - 1]!;
    writeSync(this.fd!, line);
    active.records.push({ seq, time: t, kind, offset: active.bytes, length: line.length });
    active.bytes += line.length;
    active.diskBytes += line.length;
    this.lastSeq = seq;
    this.lastTime = t;
    this.dirty = true;
    if (newSegment) this.enforceCap();
    return seq;
  }

  private startSegment(firstSeq: number): void {
    if (this.fd !== null) {
      this.flush();
      closeSync(this.fd);
      this.fd = null;
      this.seal(this.segments[this.segments.length - 1]!);
    }
    const path = join(this.opts.dir, segmentName(firstSeq));
    this.fd = openSync(path, 'a', 0o600);
    this.segments.push({ path, records: [], bytes: 0, diskBytes: 0, compressed: false });
    // The new file's directory entry must survive a power cut too.
    syncDir(this.opts.dir);
  }

  /** Gzips a finished segment; if that fails it simply stays uncompressed. */
  private seal(seg: Segment): void {
    try {
      seg.diskBytes = compressSegment(seg.path);
      seg.path = `${seg.path}${GZ}`;
      seg.compressed = true;
    } catch (e) {
      this.log(`history: could not compress ${seg.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private enforceCap(): void {
    while (this.segments.length > 1 && this.totalBytes > this.opts.maxBytes) {
      const oldest = this.segments.shift()!;
      unlinkSync(oldest.path);
      this.log(`history: size cap reached, dropped ${oldest.path}`);
    }
  }

  /** fdatasync when something was written since the last one. */
  flush(): void {
    if (!this.dirty || this.fd === null) return;
    this.dirty = false;
    fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.fd !== null) {
      this.flush();
      closeSync(this.fd);
      this.fd = null;
    }
    try {
      unlinkSync(join(this.opts.dir, LOCK));
    } catch {
      // Already gone: nothing to release.
    }
  }

  /** The last compressed segment read, kept: scrubbing reads the same one again and again. */
  private cache: { path: string; buf: Buffer } | null = null;

  private unpacked(segment: Segment): Buffer {
    if (this.cache?.path !== segment.path) {
      const buf = readSegment(segment.path);
      if (!buf) throw new Error(`history segment ${segment.path} cannot be decompressed`);
      this.cache = { path: segment.path, buf };
    }
    return this.cache.buf;
  }

  /** Records `from..to` (indexes, inclusive) of one segment, read and checked. */
  read(segment: Segment, from: number, to: number): DecodedLine[] {
    const first = segment.records[from]!;
    const last = segment.records[to]!;
    const length = last.offset + last.length - first.offset;
    const buf = segment.compressed
      ? this.unpacked(segment).subarray(first.offset, first.offset + length)
      : readRange(segment.path, first.offset, length);
    const out: DecodedLine[] = [];
    let at = 0;
    for (let i = from; i <= to; i++) {
      const rec = segment.records[i]!;
      const line = buf.toString('utf8', at, at + rec.length - 1);
      const decoded = decodeRecord(line);
      if (!decoded) throw new Error(`history record ${rec.seq} in ${segment.path} is corrupt`);
      out.push(decoded);
      at += rec.length;
    }
    return out;
  }
}

function readRange(path: string, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) throw new Error(`history segment ${path} is shorter than its index`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}
